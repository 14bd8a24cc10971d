using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Tests;

public class GrainIdTests
{
    [Fact]
    public void ToString_is_type_slash_key_with_orleans_key_encodings()
    {
        var guid = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        Assert.Equal("chat/room1", GrainId.Create("chat", "room1").ToString());
        Assert.Equal("chat/0f8fad5bd9cb469fa16570867728950e", GrainId.Create("chat", GrainIdKeyExtensions.CreateGuidKey(guid)).ToString());
        Assert.Equal("chat/FF", GrainId.Create("chat", GrainIdKeyExtensions.CreateIntegerKey(255)).ToString());
        Assert.Equal("chat/FFFFFFFFFFFFFFFF+ext", GrainId.Create("chat", GrainIdKeyExtensions.CreateIntegerKey(-1, "ext")).ToString());
    }

    [Fact]
    public void Keys_round_trip_through_the_encodings()
    {
        var guid = Guid.NewGuid();
        Assert.True(GrainId.Create("t", GrainIdKeyExtensions.CreateGuidKey(guid, "x+y")).TryGetGuidKey(out var g, out var ext));
        Assert.Equal(guid, g);
        Assert.Equal("x+y", ext);
        Assert.True(GrainId.Create("t", GrainIdKeyExtensions.CreateIntegerKey(long.MinValue)).TryGetIntegerKey(out var l, out var none));
        Assert.Equal(long.MinValue, l);
        Assert.Null(none);
        Assert.False(GrainId.Create("t", "not-a-guid").TryGetGuidKey(out _, out _));
    }

    [Fact]
    public void Equality_parse_and_validation()
    {
        var a = GrainId.Create("t", "k");
        Assert.Equal(a, GrainId.Parse("t/k"));
        Assert.Equal(a.GetHashCode(), GrainId.Parse("t/k").GetHashCode());
        Assert.NotEqual(a, GrainId.Create("t", "K"));
        Assert.Equal("k/with/slashes", GrainId.Parse("t/k/with/slashes").Key);
        Assert.False(GrainId.TryParse("noslash", out _));
        Assert.Throws<ArgumentException>(() => GrainType.Create("a/b"));
        Assert.True(default(GrainId).IsDefault);
    }

    [Fact]
    public void StreamId_formats_namespace_and_key()
    {
        Assert.Equal("ns/42", StreamId.Create("ns", 42).ToString());
        Assert.Equal(StreamId.Create("ns", "k"), StreamId.Create("ns", "k"));
        Assert.NotEqual(StreamId.Create("ns", "k"), StreamId.Create("other", "k"));
    }
}
