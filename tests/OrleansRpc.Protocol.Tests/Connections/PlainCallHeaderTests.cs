using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Connections;
using static OrleansRpc.Protocol.Tests.Connections.ConnectionHarness;

namespace OrleansRpc.Protocol.Tests.Connections;

/// <summary>Calls whose header is served from the connection's header cache behave exactly like decoded ones.</summary>
public class PlainCallHeaderTests
{
    private static ConnectionHarness Declared()
    {
        var harness = new ConnectionHarness();
        harness.DeclareHead();
        return harness;
    }

    [Fact]
    public void Many_distinct_targets_reach_the_application_with_their_group_and_name()
    {
        var harness = Declared();
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 300; i++)
            {
                harness.Feed(HeadCall(i + 1, $"/group{i % 5}/fn{i}", Map()));
                var call = harness.Handler.Calls[^1];
                Assert.Equal($"group{i % 5}", call.Group);
                Assert.Equal($"fn{i}", call.Name);
                Assert.Equal($"/group{i % 5}/fn{i}", call.Header!.Target);
                Assert.True(harness.Connection.CompleteCall(call.Token, [0x03]));
            }
        }

        Assert.Equal(600, harness.TakeFrames().Count);
        Assert.False(harness.Connection.IsClosed);
    }

    [Fact]
    public void Repeated_plain_calls_share_one_read_only_header()
    {
        var harness = Declared();
        harness.Feed(HeadCall(1, "/default/sum", Map()).ToArray(), HeadCall(2, "/default/sum", Map()).ToArray());
        var calls = harness.Handler.Calls;
        Assert.Same(calls[0].Header, calls[1].Header);
        Assert.True(calls[1].Header!.IsReadOnly);
        Assert.Equal("/default/sum", calls[1].Header!.Target);
    }

    [Fact]
    public void A_header_with_a_deadline_and_user_keys_still_exposes_them()
    {
        var harness = Declared();
        var deadline = Start.AddSeconds(30).ToUnixTimeMilliseconds() / 1000.0;
        harness.Feed(HeadCall(1, "/default/sum", Map()));
        harness.Feed(Array(101, 2, Map(("target", "/default/sum"), ("X-rap-deadline", deadline), ("X-user", "u1")), Map()));
        var call = harness.Handler.Calls[^1];
        Assert.Equal(("default", "sum"), (call.Group, call.Name));
        Assert.Equal(Start.AddSeconds(30), call.Deadline);
        Assert.False(call.Header!.IsReadOnly);
        Assert.True(call.Header.TryGetValue("X-user", out var user));
        Assert.Equal("u1", user.AsString());
    }

    [Fact]
    public void A_past_deadline_after_cached_calls_is_still_answered_RpcRunTimeError()
    {
        var harness = Declared();
        harness.Feed(HeadCall(1, "/default/sum", Map()));
        harness.Feed(Array(101, 2, Map(("target", "/default/sum"), ("X-rap-deadline", Start.AddSeconds(-1).ToUnixTimeSeconds())), Map()));
        var answer = harness.TakeSingle();
        Assert.Equal(2, answer[1].AsInt64());
        Assert.Equal(301, answer[2]["status_code"].AsInt64());
        Assert.Equal("RpcRunTimeError", answer[3][0].AsString());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("/a/b/c")]
    [InlineData("default/sum")]
    public void A_malformed_target_after_good_calls_gets_CLOSE_protocol_error(string target)
    {
        var harness = Declared();
        harness.Feed(HeadCall(1, "/default/sum", Map()).ToArray(), HeadCall(2, "/default/sum", Map()).ToArray());
        harness.TakeFrames();
        harness.Feed(HeadCall(3, target, Map()));
        var frame = harness.TakeSingle();
        Assert.Equal("/_event/CLOSE", frame[2]["target"].AsString());
        Assert.Equal("protocol error", frame[3].AsString());
        Assert.Equal(RapConnectionCloseReason.ProtocolError, harness.Connection.CloseReason);
    }

    [Fact]
    public void Channel_frames_with_shared_headers_keep_working()
    {
        var harness = Declared();
        harness.Feed(Array(102, 7, Map(("channel_life_cycle", "DECLARE"), ("target", "/default/echo")), MessagePackValue.Nil));
        var open = Assert.Single(harness.Handler.ChannelOpens);
        Assert.Equal(("default", "echo"), (open.Group, open.Name));
        Assert.True(harness.Connection.AcceptChannel(open.Token));
        harness.Feed(Array(102, 7, Map(("channel_life_cycle", "MSG")), 1).ToArray(), Array(102, 7, Map(("channel_life_cycle", "MSG")), 2).ToArray());
        Assert.Equal(["01", "02"], harness.Handler.ChannelMessages.Select(m => Convert.ToHexStringLower(m.Body)));
        harness.Feed(Array(102, 7, Map(("channel_life_cycle", "DROP")), MessagePackValue.Nil));
        Assert.Single(harness.Handler.ChannelCloses);
    }
}
