using OrleansRpc.Gateway.Tests.Infrastructure;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.Plumbing;

/// <summary>One bad client never disturbs the others.</summary>
public sealed class IsolationTests
{
    [Fact]
    public async Task Garbage_closes_that_connection_and_leaves_the_other_working()
    {
        var calls = new TestCalls();
        await using TestCluster cluster = await PlumbingCluster.StartAsync(calls);
        await using RawFrameClient good = await RawFrameClient.ConnectAsync(cluster.EndPoint);
        await using RawFrameClient bad = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        await good.SendAsync(PlumbingCluster.Echo(1, "before"));
        Assert.Equal(("echo", 1L), TestFrames.Parse(await good.ReadFrameAsync()));

        await bad.SendAsync(new byte[] { 0xc1 });
        Assert.Null(await bad.ReadFrameAsync());

        await good.SendAsync(PlumbingCluster.Echo(2, "after"));
        Assert.Equal(("echo", 2L), TestFrames.Parse(await good.ReadFrameAsync()));
    }

    [Fact]
    public async Task Frame_the_handler_rejects_closes_only_that_connection()
    {
        var calls = new TestCalls();
        await using TestCluster cluster = await PlumbingCluster.StartAsync(calls);
        await using RawFrameClient good = await RawFrameClient.ConnectAsync(cluster.EndPoint);
        await using RawFrameClient bad = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        await bad.SendAsync(new byte[] { 0x2a }); // valid msgpack (42), not a test frame
        Assert.Null(await bad.ReadFrameAsync());

        await good.SendAsync(PlumbingCluster.Echo(3, "still here"));
        Assert.Equal(("echo", 3L), TestFrames.Parse(await good.ReadFrameAsync()));
    }

    [Fact]
    public async Task Connections_over_the_limit_are_closed_at_once()
    {
        var calls = new TestCalls();
        await using TestCluster cluster = await PlumbingCluster.StartAsync(calls, b => b.ConfigureGateway(o => o.MaxConnections = 1));
        await using RawFrameClient first = await RawFrameClient.ConnectAsync(cluster.EndPoint);
        await first.SendAsync(PlumbingCluster.Echo(1, "in"));
        Assert.NotNull(await first.ReadFrameAsync());

        await using RawFrameClient second = await RawFrameClient.ConnectAsync(cluster.EndPoint);
        await second.SendAsync(PlumbingCluster.Echo(2, "refused"));
        Assert.Null(await second.ReadFrameAsync());

        await first.SendAsync(PlumbingCluster.Echo(3, "still in"));
        Assert.Equal(("echo", 3L), TestFrames.Parse(await first.ReadFrameAsync()));
    }
}
