using OrleansRpc.Grains.Configuration;
using OrleansRpc.Grains.Hosting;
using OrleansRpc.Grains.Runtime;
using OrleansRpc.Grains.Tests.Infrastructure;
using OrleansRpc.Grains.Tests.TestGrains;

namespace OrleansRpc.Grains.Tests;

public class QueueLimitTests
{
    [Fact]
    public async Task A_full_activation_queue_rejects_with_LimitExceededException()
    {
        await using var silo = await TestSilo.StartAsync(b => b.Configure<SiloMessagingOptions>(o => o.MaxEnqueuedRequestsHardLimit = 2));
        var grain = silo.GrainFactory.GetGrain<ISchedulingGrain>("q");
        var running = grain.Block("hold");
        await grain.Ping().WithTestTimeout();
        var queued1 = grain.Block("q1");
        var queued2 = grain.Block("q2");

        var rejected = await Assert.ThrowsAsync<LimitExceededException>(() => grain.Block("q3"));
        Assert.Equal(2, rejected.Threshold);

        silo.Probe.Signal("hold").SetResult();
        silo.Probe.Signal("q1").SetResult();
        silo.Probe.Signal("q2").SetResult();
        await Task.WhenAll(running, queued1, queued2).WithTestTimeout();
        Assert.DoesNotContain("enter:q3", silo.Probe.Events);
    }
}
