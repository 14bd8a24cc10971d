using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Connections;
using static OrleansRpc.Protocol.Tests.Connections.ConnectionHarness;

namespace OrleansRpc.Protocol.Tests.Connections;

/// <summary>One test per row of RAP_PROTOCOL.md §3.14 (misbehaving v0.5.3.8 clients), plus the §3.8/§3.11 error answers.</summary>
public class LegacyMisbehaviourTests
{
    /// <summary>A connection classified as v0.5.3.8 by a first call, its ping and the call cleared away.</summary>
    private static (ConnectionHarness Harness, CallInfo Call) Started()
    {
        var harness = new ConnectionHarness();
        harness.Feed(LegacyCall(7, "sum", LegacyHeader(), -1, 1, 2));
        harness.TakeFrames();
        return (harness, Assert.Single(harness.Handler.Calls));
    }

    private static void AssertCloseEvent(ConnectionHarness harness, string reason)
    {
        var frame = harness.TakeSingle();
        Assert.Equal(203, frame[0].AsInt64());
        Assert.Equal(-1, frame[1].AsInt64());
        Assert.Equal("default", frame[2].AsString());
        Assert.Equal("event_close_conn", frame[3].AsString());
        Assert.Equal(200, frame[4]["status_code"].AsInt64());
        Assert.Equal(reason, frame[5].AsString());
        Assert.True(harness.Connection.IsClosed);
    }

    [Fact]
    public void Bytes_that_are_not_msgpack_close_only_that_connection()
    {
        var (harness, _) = Started();
        harness.FeedHex("c1");
        AssertCloseEvent(harness, "protocol error");
        Assert.Equal(RapConnectionCloseReason.MalformedInput, harness.Connection.CloseReason);
    }

    [Theory]
    [InlineData("05")]
    [InlineData("94670381a6746172676574af2f5f6576656e742f4445434c41524580")] // a HEAD 4-array after v0.5.3.8 frames
    [InlineData("9765ffa0a08080c0")] // seven elements
    public void Valid_msgpack_that_is_not_a_6_array_gets_event_close_conn_protocol_error(string hex)
    {
        var (harness, _) = Started();
        harness.FeedHex(hex);
        AssertCloseEvent(harness, "protocol error");
    }

    [Theory]
    [InlineData(999)]
    [InlineData(203)]
    [InlineData(201)]
    public void An_unknown_num_gets_num_100_Illegal_request(int num)
    {
        var (harness, _) = Started();
        harness.Feed(Array(num, 1, "default", "sum", Map(("version", "0.1"), ("user_agent", "Python3-0.5.3"), ("request_id", "r1")), Map()));
        var frame = harness.TakeSingle();
        // O-29: status 500 first, the request header copied, host appended.
        Assert.Equal(100, frame[0].AsInt64());
        Assert.Equal(1, frame[1].AsInt64());
        Assert.Equal("sum", frame[3].AsString());
        var header = frame[4].AsMap();
        Assert.Equal(["status_code", "version", "user_agent", "request_id", "host"], header.Select(e => e.Key.AsString()));
        Assert.Equal(500, frame[4]["status_code"].AsInt64());
        Assert.Equal("r1", frame[4]["request_id"].AsString());
        Assert.Equal("10.0.0.7", frame[4]["host"][0].AsString());
        Assert.Equal(40000, frame[4]["host"][1].AsInt64());
        Assert.Equal("Illegal request", frame[5].AsString());
        Assert.False(harness.Connection.IsClosed);
    }

    [Fact]
    public void A_header_that_is_not_a_map_gets_event_close_conn_instead_of_rap_s_fatal_answer()
    {
        var (harness, _) = Started();
        harness.Feed(Array(101, 8, "default", "sum", Array("x"), Map()));
        AssertCloseEvent(harness, "protocol error");
    }

    [Fact]
    public void Client_events_other_than_pong_are_ignored()
    {
        var (harness, _) = Started();
        harness.Feed(Array(103, -1, "", "something", LegacyHeader(), ""));
        harness.Feed(Array(103, -1, "", "pong", LegacyHeader(), ""));
        Assert.Empty(harness.TakeFrames());
        Assert.False(harness.Connection.IsClosed);
    }

    [Theory]
    [InlineData("list", 508, "Rpc run time error")]
    [InlineData("no call_id", 504, "Parse error. body miss params")]
    [InlineData("no param", 504, "Parse error. body miss params")]
    public void Body_errors_get_the_section_3_8_answers(string kind, int status, string text)
    {
        var (harness, _) = Started();
        var body = kind switch
        {
            "list" => Array(1, 2),
            "no call_id" => Map(("param", Array(1)), ("default_param", Map())),
            _ => Map(("call_id", -1)),
        };
        harness.Feed(Array(101, 9, "default", "sum", LegacyHeader(), body));
        var frame = harness.TakeSingle();
        Assert.Equal(201, frame[0].AsInt64());
        Assert.Equal(9, frame[1].AsInt64());
        Assert.Equal(status, frame[4]["status_code"].AsInt64());
        Assert.Equal(text, frame[5].AsString());
    }

    [Fact]
    public void Channel_frame_without_channel_id_gets_505()
    {
        var (harness, _) = Started();
        harness.Feed(Array(102, -1, "default", "echo_channel", LegacyHeader(("channel_life_cycle", "declare")), MessagePackValue.Nil));
        var frame = harness.TakeSingle();
        Assert.Equal(202, frame[0].AsInt64());
        Assert.Equal(505, frame[4]["status_code"].AsInt64());
        Assert.Equal("channel request must channel id", frame[5].AsString());
    }

    [Theory]
    [InlineData("MSG", "channel not create")]
    [InlineData("drop", "channel not create")]
    [InlineData("DECLARE", "channel life cycle error")]
    public void Channel_errors_get_510_with_the_channel_id_echoed(string lifeCycle, string text)
    {
        var (harness, _) = Started();
        harness.Feed(Array(102, -1, "default", "echo_channel", LegacyHeader(("channel_life_cycle", lifeCycle), ("channel_id", "c1")), "x"));
        var frame = harness.TakeSingle();
        Assert.Equal(510, frame[4]["status_code"].AsInt64());
        Assert.Equal("c1", frame[4]["channel_id"].AsString());
        Assert.Equal(text, frame[5].AsString());
    }

    [Fact]
    public void Channel_declare_twice_gets_510_already_create()
    {
        var (harness, _) = Started();
        var declare = Array(102, -1, "default", "echo_channel", LegacyHeader(("channel_life_cycle", "declare"), ("channel_id", "c1")), MessagePackValue.Nil);
        harness.Feed(declare);
        harness.Feed(declare);
        var frame = harness.TakeSingle();
        Assert.Equal(510, frame[4]["status_code"].AsInt64());
        Assert.Equal("channel already create", frame[5].AsString());
    }
}
