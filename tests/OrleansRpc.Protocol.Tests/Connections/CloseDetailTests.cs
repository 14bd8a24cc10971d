using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Connections;
using static OrleansRpc.Protocol.Tests.Connections.ConnectionHarness;

namespace OrleansRpc.Protocol.Tests.Connections;

/// <summary>
/// A connection ended by a structural protocol error says what was wrong (<see cref="RapServerConnection.CloseDetail"/>):
/// the kind, the frame's byte offset and the limit or value, where the close reason alone says "protocol error".
/// </summary>
public class CloseDetailTests
{
    // H-1, the DECLARE DeclareHead feeds.
    private const int DeclareLength = 107;

    [Fact]
    public void A_head_frame_of_the_wrong_length_is_named_with_its_offset()
    {
        var harness = new ConnectionHarness();
        harness.DeclareHead();
        harness.Feed(Array(101, 5, Map()));
        Assert.True(harness.Connection.IsClosed);
        Assert.Equal($"HEAD frame at byte {DeclareLength}: WrongLength (an array of the wrong length)", harness.Connection.CloseDetail);
    }

    [Fact]
    public void A_head_frame_of_an_unknown_type_is_named()
    {
        var harness = new ConnectionHarness();
        harness.DeclareHead();
        harness.Feed(Array(999, 5, Map(), Map()));
        Assert.Equal($"HEAD frame at byte {DeclareLength}: message type 999 is not a request", harness.Connection.CloseDetail);
    }

    [Fact]
    public void A_legacy_header_that_is_not_a_map_is_named()
    {
        var harness = new ConnectionHarness();
        byte[] first = LegacyCall(1, "sum", LegacyHeaderForTests(), positional: [1, 2]).ToArray();
        harness.Feed(first);
        harness.Feed(Array(101, 3, "default", "sum", "not a map", Map()));
        Assert.Equal($"0.5.3.8 frame at byte {first.Length}: InvalidHeader (the header is not a map with str keys)", harness.Connection.CloseDetail);
    }

    [Fact]
    public void A_frame_over_a_limit_names_the_limit()
    {
        var harness = new ConnectionHarness(o => o.MaxFrameElements = 100);
        harness.DeclareHead();
        harness.Feed([0xdc, 0x01, 0x00]); // an array of 256 elements
        Assert.True(harness.Connection.IsClosed);
        Assert.Equal($"frame at byte {DeclareLength}: MaxFrameElements is 100, the frame declared 256", harness.Connection.CloseDetail);
    }

    [Fact]
    public void A_connection_that_ends_normally_has_no_detail()
    {
        var harness = new ConnectionHarness();
        harness.DeclareHead();
        harness.Connection.OnInputCompleted();
        Assert.Null(harness.Connection.CloseDetail);
    }

    private static MessagePackValue LegacyHeaderForTests() =>
        Map(("host", Array("127.0.0.1", 9000)), ("version", "0.1"), ("user_agent", "Python3-0.5.3"), ("request_id", "r-1"));
}
