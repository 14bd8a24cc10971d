using OrleansRpc.Grains.Hosting;
using OrleansRpc.Grains.Tests.Infrastructure;
using OrleansRpc.Grains.Tests.TestGrains;

namespace OrleansRpc.Grains.Tests;

public class StatelessWorkerTests
{
    [Fact]
    public async Task Workers_run_in_parallel_up_to_the_cap_and_never_beyond()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IWorkerGrain>("pool");
        var calls = Enumerable.Range(0, 12).Select(i => grain.Block("c" + i, "release")).ToArray();

        // Three workers get busy; wait until they are all inside.
        await WaitForAsync(() => silo.Probe.Inside >= 3);

        Assert.Equal(3, silo.Probe.Events.Count);
        silo.Probe.Signal("release").SetResult();
        var workers = await Task.WhenAll(calls).WithTestTimeout();
        Assert.Equal(3, silo.Probe.MaxInside);
        Assert.Equal(3, workers.Distinct().Count());
    }

    [Fact]
    public async Task Without_a_cap_the_pool_grows_to_the_processor_count_and_never_beyond()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IDefaultCapWorkerGrain>("default");
        var cap = Environment.ProcessorCount;
        var calls = Enumerable.Range(0, cap + 3).Select(_ => grain.Block("release")).ToArray();

        await WaitForAsync(() => silo.Probe.Inside >= cap);
        silo.Probe.Signal("release").SetResult();
        var workers = await Task.WhenAll(calls).WithTestTimeout();
        Assert.Equal(cap, silo.Probe.MaxInside);
        Assert.Equal(cap, workers.Distinct().Count());
    }

    [Fact]
    public async Task The_options_cap_overrides_the_attribute_cap()
    {
        await using var silo = await TestSilo.StartAsync(b => b.Configure<OrleansRpc.Grains.Configuration.StatelessWorkerOptions>(
            o => o.ClassSpecificMaxLocalWorkers[typeof(WorkerGrain).FullName!] = 2));
        var grain = silo.GrainFactory.GetGrain<IWorkerGrain>("capped");
        var calls = Enumerable.Range(0, 8).Select(i => grain.Block("c" + i, "release")).ToArray();

        await WaitForAsync(() => silo.Probe.Inside >= 2);
        await Task.Delay(100);
        Assert.Equal(2, silo.Probe.Inside);
        silo.Probe.Signal("release").SetResult();
        var workers = await Task.WhenAll(calls).WithTestTimeout();
        Assert.Equal(2, silo.Probe.MaxInside);
        Assert.Equal(2, workers.Distinct().Count());
    }

    [Fact]
    public async Task Sequential_calls_go_to_the_first_idle_worker()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IWorkerGrain>("seq");
        var ids = new List<int>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add(await grain.WhoAmI());
        }

        Assert.All(ids, id => Assert.Equal(ids[0], id));
    }

    [Fact]
    public async Task Busy_workers_get_new_workers_under_the_cap_then_the_shortest_queue()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IPairWorkerGrain>("order");

        // 1 → worker A (new), 2 → worker B (new, A busy), 3 → A (equal queues: first), 4 → B (shorter queue).
        var c1 = grain.Block("c1", "s1");
        await silo.Probe.Signal("started:c1").Task.WithTestTimeout();
        var c2 = grain.Block("c2", "s2");
        await silo.Probe.Signal("started:c2").Task.WithTestTimeout();
        var c3 = grain.Block("c3", "s3");
        var c4 = grain.Block("c4", "s4");

        silo.Probe.Signal("s1").SetResult();
        silo.Probe.Signal("s2").SetResult();
        silo.Probe.Signal("s3").SetResult();
        silo.Probe.Signal("s4").SetResult();
        var ids = await Task.WhenAll(c1, c2, c3, c4).WithTestTimeout();
        Assert.NotEqual(ids[0], ids[1]);
        Assert.Equal(ids[0], ids[2]);
        Assert.Equal(ids[1], ids[3]);
    }

    [Fact]
    public async Task Idle_workers_are_removed_over_inspection_periods()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IWorkerGrain>("idle");
        var calls = Enumerable.Range(0, 3).Select(i => grain.Block("c" + i, "go")).ToArray();
        await WaitForAsync(() => silo.Probe.Inside >= 3);

        silo.Probe.Signal("go").SetResult();
        await Task.WhenAll(calls).WithTestTimeout();

        // One idle worker goes per inspection period (500 ms) once MinIdleCyclesBeforeRemoval (1) is reached.
        for (var i = 0; i < 3; i++)
        {
            silo.Time.Advance(TimeSpan.FromMilliseconds(500));
            var expected = i + 1;
            await WaitForAsync(() => silo.Probe.Events.Count(e => e.StartsWith("worker-deactivated", StringComparison.Ordinal)) == expected);
        }

        Assert.All(silo.Probe.Events.Where(e => e.StartsWith("worker-deactivated", StringComparison.Ordinal)), e => Assert.EndsWith(":ActivationIdle", e));

        // The pool comes back on demand.
        Assert.True(await grain.WhoAmI() > 3);
    }

    internal static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached");
            await Task.Delay(1);
        }
    }
}
