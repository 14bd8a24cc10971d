using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.MessagePack;
using OrleansRpc.Middleware.Connections;
using OrleansRpc.Middleware.Tests.Infrastructure;
using OrleansRpc.Testing;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Middleware.Tests.Connections;

public sealed class ConnectionLimitTests
{
    private static readonly DateTimeOffset s_start = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Limit_is_enforced_exactly_at_N_and_recovers_after_the_block_time()
    {
        var time = new ManualTimeProvider(s_start);
        await using TestCluster cluster = await MiddlewareCluster.StartAsync(
            s => s.AddRapConnectionLimit(o =>
            {
                o.MaxConnections = 3;
                o.BlockTime = TimeSpan.FromSeconds(30);
            }),
            time);
        RapConnectionLimiter limiter = cluster.Services.GetRequiredService<RapConnectionLimiter>();

        var served = new List<RawFrameClient>();
        for (int i = 0; i < 3; i++)
        {
            served.Add(await Frames.ConnectHeadAsync(cluster.EndPoint));
        }

        Assert.Equal(3, limiter.Count);

        // The 4th is refused: its DECLARE is answered with the HEAD CLOSE event and rap's reason, then the socket closes.
        await AssertRefusedHeadAsync(cluster, RapConnectionLimitMiddleware.Reason);
        Assert.Equal(s_start + TimeSpan.FromSeconds(30), limiter.ReleaseAt);

        // Below the limit again, but still inside the block time: refused.
        await served[0].DisposeAsync();
        await Eventually.TrueAsync(() => limiter.Count == 2, "the closed connection to be released");
        time.Advance(TimeSpan.FromSeconds(29));
        await AssertRefusedHeadAsync(cluster, RapConnectionLimitMiddleware.Reason);

        // After the block time: served.
        time.Advance(TimeSpan.FromSeconds(2));
        await using (RawFrameClient again = await Frames.ConnectHeadAsync(cluster.EndPoint))
        {
            await again.SendAsync(Frames.HeadCall(5, "/default/sum", MessagePackValue.FromMap(("a", 1), ("b", 2))));
            MessagePackValue? answer = await Frames.ReadHeadAnswerAsync(again, 101, 5);
            Assert.Equal(3, answer!.Value[3].AsInt64());
            Assert.Equal(3, limiter.Count);
        }

        foreach (RawFrameClient client in served.Skip(1))
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_refused_legacy_connection_gets_event_close_conn()
    {
        await using TestCluster cluster = await MiddlewareCluster.StartAsync(s => s.AddRapConnectionLimit(o =>
        {
            o.MaxConnections = 0;
            o.BlockTime = TimeSpan.Zero;
        }));

        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);
        await client.SendAsync(Frames.LegacyCall(7, "default", "sum", Frames.LegacyBody(1, 2)));
        byte[]? bytes = await client.ReadFrameAsync(Frames.Timeout);
        MessagePackValue close = MessagePackValue.Parse(bytes);
        Assert.Equal(203, close[0].AsInt64());
        Assert.Equal(-1, close[1].AsInt64());
        Assert.Equal("event_close_conn", close[3].AsString());
        Assert.Equal(200, close[4]["status_code"].AsInt64());
        Assert.Equal("Python3-0.5.3", close[4]["user_agent"].AsString());
        Assert.Equal(RapConnectionLimitMiddleware.Reason, close[5].AsString());
        Assert.Null(await client.ReadFrameAsync(Frames.Timeout));
    }

    [Fact]
    public async Task Per_ip_limit_refuses_the_connection_beyond_the_limit_and_admits_again_when_one_closes()
    {
        await using TestCluster cluster = await MiddlewareCluster.StartAsync(s => s.AddRapIpConnectionLimit(o => o.MaxConnectionsPerIp = 2));
        RapIpConnectionLimiter limiter = cluster.Services.GetRequiredService<RapIpConnectionLimiter>();
        RawFrameClient first = await Frames.ConnectHeadAsync(cluster.EndPoint);
        await using RawFrameClient second = await Frames.ConnectHeadAsync(cluster.EndPoint);

        await using (RawFrameClient third = await RawFrameClient.ConnectAsync(cluster.EndPoint))
        {
            await third.SendAsync(Frames.HeadDeclare());
            MessagePackValue close = MessagePackValue.Parse(await third.ReadFrameAsync(Frames.Timeout));
            Assert.Equal("/_event/CLOSE", close[2]["target"].AsString());
            Assert.Equal($"Currently exceeding the maximum number of ip conn limit, close ('127.0.0.1', {third.LocalEndPoint.Port})", close[3].AsString());
        }

        await first.DisposeAsync();
        await Eventually.TrueAsync(() => limiter.CountOf(System.Net.IPAddress.Loopback) == 1, "the closed connection to be released");
        await using RawFrameClient fourth = await Frames.ConnectHeadAsync(cluster.EndPoint);
        Assert.Equal(2, limiter.CountOf(System.Net.IPAddress.Loopback));
    }

    [Fact]
    public void Per_ip_counters_are_forgotten_after_the_statistics_window()
    {
        var time = new ManualTimeProvider(s_start);
        var limiter = new RapIpConnectionLimiter(new RapIpConnectionLimitOptions { MaxConnectionsPerIp = 1, Timeout = TimeSpan.FromSeconds(180) }, time);
        var v4 = System.Net.IPAddress.Parse("10.1.2.3");
        var v6 = System.Net.IPAddress.Parse("2001:db8::1");
        Assert.True(limiter.TryEnter(v4));
        Assert.False(limiter.TryEnter(v4));
        Assert.True(limiter.TryEnter(v6));
        time.Advance(TimeSpan.FromSeconds(181));
        Assert.Equal(0, limiter.CountOf(v4));
        Assert.True(limiter.TryEnter(v4));
    }

    private static async Task AssertRefusedHeadAsync(TestCluster cluster, string reason)
    {
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);
        await client.SendAsync(Frames.HeadDeclare());
        byte[]? bytes = await client.ReadFrameAsync(Frames.Timeout);
        Assert.NotNull(bytes);
        MessagePackValue close = MessagePackValue.Parse(bytes);
        Assert.Equal(203, close[0].AsInt64());
        Assert.Equal(2, close[1].AsInt64());
        Assert.Equal("/_event/CLOSE", close[2]["target"].AsString());
        Assert.Equal(reason, close[3].AsString());
        Assert.Null(await client.ReadFrameAsync(Frames.Timeout));
    }
}
