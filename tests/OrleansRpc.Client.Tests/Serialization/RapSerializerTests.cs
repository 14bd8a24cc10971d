using OrleansRpc.Client.Serialization;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Tests.Serialization;

public sealed class RapSerializerTests
{
    public sealed record Order(long OrderId, string? Note, double Amount, List<int> Lines, Dictionary<string, bool> Flags);

    public sealed class Poco
    {
        public int UserId { get; set; }

        [RapName("display")]
        public string? DisplayName { get; set; }

        public Status State { get; set; }

        public int? Maybe { get; set; }
    }

    public enum Status
    {
        Off = 0,
        On = 1,
    }

    [Fact]
    public void Records_round_trip_as_maps_and_match_snake_case_keys()
    {
        var order = new Order(5, null, 2.5, [1, 2], new() { ["x"] = true });
        var bytes = RapSerializer.Serialize(order);
        var value = MessagePackValue.Parse(bytes);
        Assert.Equal(["OrderId", "Note", "Amount", "Lines", "Flags"], value.AsMap().Select(e => e.Key.AsString()));
        var back = RapSerializer.Deserialize<Order>(bytes);
        Assert.Equal(order.OrderId, back.OrderId);
        Assert.Equal(order.Lines, back.Lines);
        Assert.True(back.Flags["x"]);

        // A Python-style map fills the record by name.
        var python = MessagePackValue.FromMap(("order_id", 9), ("note", "n"), ("amount", 1), ("lines", MessagePackValue.FromArray(3)), ("flags", Empty), ("extra", 1)).ToArray();
        var fromPython = RapSerializer.Deserialize<Order>(python);
        Assert.Equal(9, fromPython.OrderId);
        Assert.Equal("n", fromPython.Note);
        Assert.Equal(1.0, fromPython.Amount);
    }

    [Fact]
    public void Pocos_use_names_enums_and_nullables()
    {
        var poco = new Poco { UserId = 3, DisplayName = "d", State = Status.On, Maybe = null };
        var value = MessagePackValue.Parse(RapSerializer.Serialize(poco));
        Assert.Equal(MessagePackValue.FromMap(("UserId", 3), ("display", "d"), ("State", 1), ("Maybe", MessagePackValue.Nil)), value);
        var back = RapSerializer.Deserialize<Poco>(value.ToArray());
        Assert.Equal(3, back.UserId);
        Assert.Equal("d", back.DisplayName);
        Assert.Equal(Status.On, back.State);
        Assert.Null(back.Maybe);
    }

    [Fact]
    public void Numbers_keep_python_forms()
    {
        Assert.Equal("cb3ff0000000000000", Convert.ToHexStringLower(RapSerializer.Serialize(1.0)));
        Assert.Equal("01", Convert.ToHexStringLower(RapSerializer.Serialize(1)));
        Assert.Equal("cd0100", Convert.ToHexStringLower(RapSerializer.Serialize(256L)));
        Assert.Equal("d0df", Convert.ToHexStringLower(RapSerializer.Serialize(-33)));
        Assert.Equal(2.0, RapSerializer.Deserialize<double>(RapSerializer.Serialize(2)));
        Assert.Throws<RapSerializationException>(() => RapSerializer.Deserialize<byte>(RapSerializer.Serialize(300)));
        Assert.Throws<RapSerializationException>(() => RapSerializer.Deserialize<int>(RapSerializer.Serialize("x")));
    }

    [Fact]
    public void Object_reads_natural_dotnet_values()
    {
        var value = MessagePackValue.FromMap(("i", 1), ("f", 1.5), ("s", "x"), ("b", new byte[] { 1 }), ("a", MessagePackValue.FromArray(true, MessagePackValue.Nil)), ("u", ulong.MaxValue));
        var read = Assert.IsType<Dictionary<string, object?>>(RapSerializer.Deserialize<object?>(value.ToArray()));
        Assert.Equal(1L, read["i"]);
        Assert.Equal(1.5, read["f"]);
        Assert.Equal("x", read["s"]);
        Assert.Equal(new byte[] { 1 }, read["b"]);
        Assert.Equal(new object?[] { true, null }, read["a"]);
        Assert.Equal(ulong.MaxValue, read["u"]);
        Assert.Equal(value, MessagePackValue.Parse(RapSerializer.Serialize<object?>(read)));
    }

    [Fact]
    public void Collections_of_many_shapes_round_trip()
    {
        Assert.Equal([1, 2], RapSerializer.Deserialize<IReadOnlyList<int>>(RapSerializer.Serialize(new[] { 1, 2 })));
        Assert.Equal([1, 2], RapSerializer.Deserialize<IEnumerable<int>>(RapSerializer.Serialize(new List<int> { 1, 2 })));
        Assert.Equal(2, RapSerializer.Deserialize<IReadOnlyDictionary<string, string>>(RapSerializer.Serialize(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" })).Count);
        Assert.Equal([[1], [2, 3]], RapSerializer.Deserialize<int[][]>(RapSerializer.Serialize(new[] { new[] { 1 }, new[] { 2, 3 } })));
        Assert.Null(RapSerializer.Deserialize<string?>(RapSerializer.Serialize<string?>(null)));
    }

    [Fact]
    public void Anonymous_objects_become_call_arguments()
    {
        var args = RapArgs.FromObject(new { a = 1, name = "x" });
        Assert.Equal(["a", "name"], args.Named.Select(a => a.Key));
    }

    private static MessagePackValue Empty => MessagePackValue.FromMap(Array.Empty<(string, MessagePackValue)>());
}
