using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Connections;
using static OrleansRpc.Protocol.Tests.Connections.ConnectionHarness;

namespace OrleansRpc.Protocol.Tests.Connections;

/// <summary>One test per row of RAP_PROTOCOL.md §2.14 (misbehaving HEAD clients): the recommended behaviour, not rap's bugs.</summary>
public class HeadMisbehaviourTests
{
    private static ConnectionHarness Declared(Action<RapConnectionOptions>? configure = null)
    {
        var harness = new ConnectionHarness(configure);
        harness.DeclareHead();
        return harness;
    }

    private static void AssertClose(ConnectionHarness harness, string reason, RapConnectionCloseReason closeReason)
    {
        var frame = harness.TakeSingle();
        Assert.Equal(203, frame[0].AsInt64());
        Assert.True(frame[1].AsInt64() % 2 == 0 && frame[1].AsInt64() != 0);
        Assert.Equal("/_event/CLOSE", frame[2]["target"].AsString());
        Assert.Equal(reason, frame[3].AsString());
        Assert.True(harness.Connection.IsClosed);
        Assert.Equal(closeReason, harness.Connection.CloseReason);
        Assert.Equal([closeReason], harness.Handler.ConnectionCloses);
    }

    [Theory]
    [InlineData("c1")]
    [InlineData("94650b81a6746172676574ac2f64656661756c742f73756d810101")] // body {1: 1}
    [InlineData("94650b810101c0")] // header {1: 1}
    public void Undecodable_bytes_or_non_str_keys_close_the_connection(string hex)
    {
        var harness = Declared();
        harness.FeedHex(hex);
        var frame = harness.TakeSingle();
        Assert.Equal("protocol error", frame[3].AsString());
        Assert.True(harness.Connection.IsClosed);
    }

    [Fact]
    public void A_frame_above_the_size_limit_closes_the_connection()
    {
        var harness = Declared(o => o.MaxFrameBytes = 1024);
        harness.Feed(HeadCall(11, "/default/echo", Map(("value", new string('x', 4000)))));
        Assert.True(harness.Connection.IsClosed);
        Assert.Equal(RapConnectionCloseReason.MalformedInput, harness.Connection.CloseReason);
        Assert.Empty(harness.Handler.Calls);
    }

    [Fact]
    public void Valid_msgpack_that_is_not_an_array_gets_CLOSE_protocol_error()
    {
        var harness = Declared();
        harness.FeedHex("05");
        AssertClose(harness, "protocol error", RapConnectionCloseReason.ProtocolError);
    }

    [Fact]
    public void An_array_shorter_than_four_gets_CLOSE_protocol_error()
    {
        var harness = Declared();
        harness.Feed(Array(101, 11, Map(("target", "/default/sum"))));
        AssertClose(harness, "protocol error", RapConnectionCloseReason.ProtocolError);
    }

    [Fact]
    public void An_array_longer_than_four_is_processed_and_extras_ignored()
    {
        var harness = Declared();
        harness.Feed(Array(101, 11, Map(("target", "/default/sum")), Map(("a", 1)), "extra"));
        var call = Assert.Single(harness.Handler.Calls);
        Assert.Equal("sum", call.Name);
        Assert.Equal("81a16101", Convert.ToHexStringLower(call.Keywords));
        harness.Connection.CompleteCall(call.Token, (MessagePackValue)3);
        Assert.Equal("94650b8003", Convert.ToHexStringLower(harness.TakeSingle().ToArray()));
    }

    [Fact]
    public void An_unknown_msg_type_gets_CLOSE_Illegal_request()
    {
        var harness = Declared();
        harness.Feed(Array(999, 11, Map(), Map()));
        AssertClose(harness, "Illegal request", RapConnectionCloseReason.IllegalRequest);
    }

    [Fact]
    public void A_header_that_is_not_a_map_gets_CLOSE_protocol_error()
    {
        var harness = Declared();
        harness.Feed(Array(101, 11, Array("target"), Map()));
        AssertClose(harness, "protocol error", RapConnectionCloseReason.ProtocolError);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("/a/b/c")]
    [InlineData("default/sum")]
    public void A_malformed_target_gets_CLOSE_protocol_error(string target)
    {
        var harness = Declared();
        harness.Feed(HeadCall(11, target, Map()));
        AssertClose(harness, "protocol error", RapConnectionCloseReason.ProtocolError);
    }

    [Fact]
    public void A_call_without_target_gets_status_1003_instead_of_silence()
    {
        var harness = Declared();
        harness.Feed(Array(101, 11, Map(), Map()));
        var frame = harness.TakeSingle();
        Assert.Equal(101, frame[0].AsInt64());
        Assert.Equal(11, frame[1].AsInt64());
        Assert.Equal(1003, frame[2]["status_code"].AsInt64());
        Assert.Equal(MessagePackValueKind.String, frame[3].Kind);
        Assert.False(harness.Connection.IsClosed);
    }

    [Theory]
    [InlineData("list")]
    [InlineData("nil")]
    public void A_call_body_that_is_not_a_map_gets_1002(string kind)
    {
        var harness = Declared();
        harness.Feed(HeadCall(11, "/default/sum", kind == "list" ? Array(1, 2) : MessagePackValue.Nil));
        var frame = harness.TakeSingle();
        Assert.Equal(1002, frame[2]["status_code"].AsInt64());
        Assert.StartsWith("Parse error.", frame[3].AsString(), StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Calls);
    }

    [Fact]
    public void A_correlation_id_that_is_not_an_int_gets_CLOSE_but_any_integer_is_accepted()
    {
        var harness = Declared();
        harness.Feed(HeadCall(-5, "/default/sum", Map()));
        harness.Feed(HeadCall(long.MaxValue, "/default/sum", Map()));
        Assert.Equal([-5L, long.MaxValue], harness.Handler.Calls.Select(c => c.Id));
        harness.Connection.CompleteCall(harness.Handler.Calls[1].Token, (MessagePackValue)1);
        Assert.Equal(long.MaxValue, harness.TakeSingle()[1].AsInt64());

        harness.Feed(Array(101, "11", Map(("target", "/default/sum")), Map()));
        AssertClose(harness, "protocol error", RapConnectionCloseReason.ProtocolError);
    }

    [Fact]
    public void Two_concurrent_calls_with_the_same_id_are_both_answered()
    {
        var harness = Declared();
        harness.Feed(HeadCall(11, "/default/sum", Map()));
        harness.Feed(HeadCall(11, "/default/sum", Map()));
        Assert.Equal(2, harness.Handler.Calls.Count);
        harness.Connection.CompleteCall(harness.Handler.Calls[1].Token, (MessagePackValue)2);
        harness.Connection.CompleteCall(harness.Handler.Calls[0].Token, (MessagePackValue)1);
        var frames = harness.TakeFrames();
        Assert.Equal([2L, 1L], frames.Select(f => f[3].AsInt64()));
        Assert.All(frames, f => Assert.Equal(11, f[1].AsInt64()));
    }

    [Fact]
    public void Channel_MSG_or_DROP_for_an_unknown_id_gets_1008_channel_not_create()
    {
        var harness = Declared();
        harness.Feed(Array(102, 1, Map(("channel_life_cycle", "MSG")), "hi"));
        harness.Feed(Array(102, 1, Map(("channel_life_cycle", "DROP")), MessagePackValue.Nil));
        var frames = harness.TakeFrames();
        Assert.Equal(2, frames.Count);
        Assert.All(frames, f =>
        {
            // H-29 exactly.
            Assert.Equal("94660181ab7374617475735f636f6465cd03f0b26368616e6e656c206e6f7420637265617465", Convert.ToHexStringLower(f.ToArray()));
        });
    }

    [Fact]
    public void Channel_DECLARE_twice_gets_1008_channel_already_create()
    {
        var harness = Declared();
        var declare = Array(102, 1, Map(("channel_life_cycle", "DECLARE"), ("target", "/default/echo_channel")), Map());
        harness.Feed(declare);
        harness.Feed(declare);
        Assert.Single(harness.Handler.ChannelOpens);
        Assert.Equal("94660181ab7374617475735f636f6465cd03f0b66368616e6e656c20616c726561647920637265617465", Convert.ToHexStringLower(harness.TakeSingle().ToArray()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("declare")]
    [InlineData("OPEN")]
    public void Channel_life_cycle_missing_or_unknown_gets_1008_life_cycle_error(string? lifeCycle)
    {
        var harness = Declared();
        var header = lifeCycle is null ? Map(("target", "/default/echo_channel")) : Map(("channel_life_cycle", lifeCycle), ("target", "/default/echo_channel"));
        harness.Feed(Array(102, 1, header, Map()));
        var frame = harness.TakeSingle();
        Assert.Equal(1008, frame[2]["status_code"].AsInt64());
        Assert.Equal("channel life cycle error", frame[3].AsString());
    }

    [Fact]
    public void DECLARE_without_client_info_or_metadata_gets_1005()
    {
        var harness = new ConnectionHarness();
        harness.Feed(Array(103, 1, Map(("target", "/_event/DECLARE")), Map(("metadata", Map()))));
        // H-42 exactly.
        Assert.Equal("94670181ab7374617475735f636f6465cd03edb25270632072756e2074696d65206572726f72", Convert.ToHexStringLower(harness.TakeSingle().ToArray()));
    }

    [Fact]
    public void Unknown_client_events_get_nil_DROP_gets_success_CLOSE_closes()
    {
        var harness = Declared();
        harness.Feed(Array(103, 1, Map(("target", "/_event/whatever")), Map()));
        Assert.Equal("94670180c0", Convert.ToHexStringLower(harness.TakeSingle().ToArray())); // H-37
        harness.Feed(Array(103, 1, Map(("target", "/_event/DROP")), Map()));
        Assert.Equal("94670180a773756363657373", Convert.ToHexStringLower(harness.TakeSingle().ToArray())); // H-36
        harness.Feed(Array(203, 4, Map(("target", "/_event/unknown")), ""));
        Assert.Empty(harness.TakeFrames()); // unknown 203 from a client: ignored
        harness.Feed(Array(103, 7, Map(("target", "/_event/CLOSE")), MessagePackValue.Nil));
        Assert.Equal("94670780c0", Convert.ToHexStringLower(harness.TakeSingle().ToArray()));
        Assert.Equal(RapConnectionCloseReason.ClientCloseEvent, harness.Connection.CloseReason);
    }
}
