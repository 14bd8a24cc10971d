using OrleansRpc.Protocol.Connections;
using static OrleansRpc.Protocol.Tests.Connections.ConnectionHarness;

namespace OrleansRpc.Protocol.Tests.Connections;

/// <summary>Pings, pong timeout, idle timeout and shutdown, driven by a manual clock (no real timers, no sleeps).</summary>
public class TimerTests
{
    [Fact]
    public void V0538_pings_every_interval_and_closes_when_no_pong_arrives()
    {
        var harness = new ConnectionHarness(o =>
        {
            o.PingInterval = TimeSpan.FromSeconds(1);
            o.PongTimeout = TimeSpan.FromSeconds(3.3);
        });
        harness.Feed(LegacyCall(1, "sum", LegacyHeader()));
        Assert.Equal("ping", harness.TakeSingle()[3].AsString());
        for (var i = 0; i < 3; i++)
        {
            harness.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal("ping", harness.TakeSingle()[3].AsString());
        }

        var signals = harness.Handler.OutputSignals;
        harness.Advance(TimeSpan.FromSeconds(0.4));
        Assert.True(signals + 1 == harness.Handler.OutputSignals, $"{signals} {harness.Handler.OutputSignals} closed={harness.Connection.IsClosed} pending={harness.Connection.HasPendingOutput}"); // the driver is woken to flush the close event
        var close = harness.TakeSingle();
        Assert.Equal("event_close_conn", close[3].AsString());
        Assert.Equal("recv pong timeout", close[5].AsString());
        Assert.Equal(RapConnectionCloseReason.PongTimeout, harness.Connection.CloseReason);
    }

    [Fact]
    public void A_pong_keeps_the_connection_alive()
    {
        var harness = new ConnectionHarness(o =>
        {
            o.PingInterval = TimeSpan.FromSeconds(1);
            o.PongTimeout = TimeSpan.FromSeconds(3.3);
        });
        harness.Feed(LegacyCall(1, "sum", LegacyHeader()));
        for (var i = 0; i < 10; i++)
        {
            harness.Advance(TimeSpan.FromSeconds(1));
            harness.Feed(Array(103, -1, "", "pong", LegacyHeader(), ""));
        }

        Assert.False(harness.Connection.IsClosed);
        Assert.Equal(11, harness.TakeFrames().Count(f => f[3].AsString() == "ping"));
    }

    [Fact]
    public void Head_pong_timeout_sends_CLOSE_recv_pong_timeout()
    {
        var harness = new ConnectionHarness(o => o.PongTimeout = TimeSpan.FromSeconds(130));
        harness.DeclareHead();
        harness.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal("/_event/ping", harness.TakeSingle()[2]["target"].AsString());
        harness.Advance(TimeSpan.FromSeconds(60));
        harness.TakeFrames();
        harness.Advance(TimeSpan.FromSeconds(10.1));
        var close = harness.TakeSingle();
        Assert.Equal("/_event/CLOSE", close[2]["target"].AsString());
        Assert.Equal("recv pong timeout", close[3].AsString());
    }

    [Fact]
    public void Idle_timeout_sends_keep_alive_timeout()
    {
        var harness = new ConnectionHarness(o =>
        {
            o.PingHeadClients = false;
            o.IdleTimeout = TimeSpan.FromSeconds(1200);
        });
        harness.DeclareHead();
        harness.Advance(TimeSpan.FromSeconds(1199));
        Assert.Empty(harness.TakeFrames());
        harness.Advance(TimeSpan.FromSeconds(1));
        // H-34 layout (the server id depends on how many events were sent before).
        var close = harness.TakeSingle();
        Assert.Equal("keep alive timeout", close[3].AsString());
        Assert.Equal(RapConnectionCloseReason.IdleTimeout, harness.Connection.CloseReason);
    }

    [Fact]
    public void Head_server_event_ids_are_even_and_skip_zero()
    {
        var harness = new ConnectionHarness(o => o.PingInterval = TimeSpan.FromSeconds(1));
        harness.DeclareHead();
        var ids = new List<long>();
        for (var i = 0; i < 33000; i++)
        {
            harness.Advance(TimeSpan.FromSeconds(1));
            harness.Feed(Array(203, 4, Map(("target", "/_event/ping")), ""));
            ids.AddRange(harness.TakeFrames().Select(f => f[1].AsInt64()));
        }

        Assert.All(ids, id => Assert.True(id % 2 == 0 && id is > 0 and < 65536));
        Assert.Contains(65534L, ids);
    }

    [Fact]
    public void Head_shutdown_sends_the_event_serves_in_flight_calls_and_closes_after_the_timeout()
    {
        var harness = new ConnectionHarness(o => o.PingHeadClients = false);
        harness.DeclareHead();
        harness.Feed(HeadCall(13, "/default/sleep_ms", Map(("ms", 1500))));
        harness.Connection.Shutdown(TimeSpan.FromSeconds(4));
        // H-35.
        Assert.Equal("94cccb0481a6746172676574b02f5f6576656e742f73687574646f776e81ad636c6f73655f74696d656f757403", Convert.ToHexStringLower(harness.TakeSingle().ToArray()));
        harness.Connection.CompleteCall(harness.Handler.Calls[0].Token, (OrleansRpc.MessagePack.MessagePackValue)1500);
        Assert.Equal(13, harness.TakeSingle()[1].AsInt64());
        Assert.False(harness.Connection.IsClosed);
        harness.Advance(TimeSpan.FromSeconds(4));
        Assert.True(harness.Connection.IsClosed);
        Assert.Equal(RapConnectionCloseReason.Shutdown, harness.Connection.CloseReason);
    }

    [Fact]
    public void V0538_shutdown_keeps_serving_calls_sent_after_the_last_answer_and_ends_at_the_timeout()
    {
        // The transport decides when a drained connection stops reading: closing when the last answer was written
        // lost the calls the client (told nothing: 0.5.3.8 has no shutdown notice) had already sent.
        var harness = new ConnectionHarness();
        harness.Feed(LegacyCall(1, "sum", LegacyHeader()));
        harness.TakeFrames();
        harness.Connection.Shutdown(TimeSpan.FromSeconds(9));
        Assert.Empty(harness.TakeFrames());
        harness.Connection.CompleteCall(harness.Handler.Calls[0].Token, (OrleansRpc.MessagePack.MessagePackValue)3);
        Assert.Single(harness.TakeFrames());
        Assert.False(harness.Connection.IsClosed);

        harness.Feed(LegacyCall(3, "sum", LegacyHeader()));
        harness.Connection.CompleteCall(harness.Handler.Calls[1].Token, (OrleansRpc.MessagePack.MessagePackValue)4);
        Assert.Equal(3, Assert.Single(harness.TakeFrames())[1].AsInt64());
        Assert.False(harness.Connection.IsClosed);

        // A call still running at the timeout is answered "server is stopping" (ServerError 500) before the end.
        harness.Feed(LegacyCall(5, "sum", LegacyHeader()));
        harness.Advance(TimeSpan.FromSeconds(9));
        var answer = Assert.Single(harness.TakeFrames());
        Assert.Equal(5, answer[1].AsInt64());
        Assert.Equal(500, answer[4]["status_code"].AsInt64());
        Assert.Equal("server is stopping", answer[5].AsString());
        Assert.True(harness.Connection.IsClosed);
        Assert.Equal(RapConnectionCloseReason.Shutdown, harness.Connection.CloseReason);
    }

    [Fact]
    public void Head_call_still_running_at_the_shutdown_timeout_is_answered_server_is_stopping()
    {
        var harness = new ConnectionHarness(o => o.PingHeadClients = false);
        harness.DeclareHead();
        harness.Feed(HeadCall(13, "/default/sleep_ms", Map(("ms", 1500))));
        harness.Connection.Shutdown(TimeSpan.FromSeconds(4));
        harness.TakeSingle(); // the shutdown event
        harness.Advance(TimeSpan.FromSeconds(4));
        var answer = harness.TakeSingle();
        Assert.Equal(13, answer[1].AsInt64());
        Assert.Equal(500, answer[2]["status_code"].AsInt64());
        Assert.Equal("server is stopping", answer[3].AsString());
        Assert.True(harness.Connection.IsClosed);
        Assert.False(harness.Connection.CompleteCall(harness.Handler.Calls[0].Token, (OrleansRpc.MessagePack.MessagePackValue)1500));
    }

    [Fact]
    public void Client_end_of_stream_frees_channels_and_tells_the_application_once()
    {
        var harness = new ConnectionHarness();
        harness.DeclareHead();
        harness.Feed(Array(102, 11, Map(("channel_life_cycle", "DECLARE"), ("target", "/default/echo_channel")), Map()));
        harness.Connection.OnInputCompleted();
        harness.Connection.OnInputCompleted();
        Assert.Equal([RapConnectionCloseReason.ClientClosed], harness.Handler.ConnectionCloses);
        Assert.Equal(RapChannelCloseReason.ConnectionClosed, Assert.Single(harness.Handler.ChannelCloses).Reason);
        Assert.False(harness.Connection.CompleteCall(1, (OrleansRpc.MessagePack.MessagePackValue)1));
        Assert.Null(harness.Connection.NextTimerDue);
    }
}
