using OrleansRpc.Grains.Tests.Infrastructure;
using OrleansRpc.Grains.Tests.TestGrains;

namespace OrleansRpc.Grains.Tests;

public class SchedulingTests
{
    [Fact]
    public async Task Calls_to_a_non_reentrant_grain_never_overlap_under_load()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<ISchedulingGrain>("load");
        var calls = Enumerable.Range(0, 400).Select(i => Task.Run(() => grain.Work(3))).ToArray();
        await Task.WhenAll(calls).WithTestTimeout();
        Assert.Equal(0, silo.Probe.Overlaps);
        Assert.Equal(1, silo.Probe.MaxInside);
    }

    [Fact]
    public async Task A_request_suspended_at_an_await_blocks_the_next_one()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<ISchedulingGrain>("block");
        var first = grain.Block("one");
        var second = grain.Block("two");

        // The always-interleave ping runs after anything already runnable on the activation's queue.
        await grain.Ping().WithTestTimeout();
        Assert.Equal(["enter:one", "ping"], silo.Probe.Events.ToArray());
        Assert.False(second.IsCompleted);

        silo.Probe.Signal("two").SetResult();
        silo.Probe.Signal("one").SetResult();
        await Task.WhenAll(first, second).WithTestTimeout();
        Assert.Equal(["enter:one", "ping", "exit:one", "enter:two", "exit:two"], silo.Probe.Events.ToArray());
    }

    [Fact]
    public async Task A_reentrant_grain_interleaves_calls()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IReentrantGrain>("r");

        // Each call waits for a gate that opens only when both are inside at once.
        await Task.WhenAll(grain.Gate("gate"), grain.Gate("gate")).WithTestTimeout();
        Assert.Equal(2, silo.Probe.MaxInside);
    }

    [Fact]
    public async Task Interleaved_turns_of_a_reentrant_grain_never_run_in_parallel()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IReentrantGrain>("parallel");
        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => grain.Work(20)))).WithTestTimeout();
        Assert.All(results, r => Assert.Equal(0, r));
    }

    [Fact]
    public async Task AlwaysInterleave_runs_while_the_grain_is_blocked_and_never_blocks_others()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<ISchedulingGrain>("ai");

        var interleaved = grain.BlockInterleaved("ai-held");
        var normal = grain.Block("normal");
        await grain.Ping().WithTestTimeout();

        // The suspended always-interleave call did not stop the normal call from starting.
        Assert.Equal(["enter:ai-held", "enter:normal", "ping"], silo.Probe.Events.ToArray());

        // And while the normal call blocks, another always-interleave call still gets in.
        var another = grain.BlockInterleaved("ai-second");
        await grain.Ping().WithTestTimeout();
        Assert.Contains("enter:ai-second", silo.Probe.Events);

        silo.Probe.Signal("ai-held").SetResult();
        silo.Probe.Signal("normal").SetResult();
        silo.Probe.Signal("ai-second").SetResult();
        await Task.WhenAll(interleaved, normal, another).WithTestTimeout();
    }

    [Fact]
    public async Task ReadOnly_requests_interleave_with_each_other_but_not_with_writers()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<ISchedulingGrain>("ro");

        // Two read-only calls: the gate needs both inside at once.
        await Task.WhenAll(grain.ReadGate("g"), grain.ReadGate("g")).WithTestTimeout();
        Assert.Equal(2, silo.Probe.MaxInside);

        // A read-only call suspended: a writer waits; a writer suspended: a reader waits.
        var reader = grain.ReadBlock("reader");
        var writer = grain.Block("writer");
        await grain.Ping().WithTestTimeout();
        Assert.DoesNotContain("enter:writer", silo.Probe.Events);
        silo.Probe.Signal("reader").SetResult();
        await reader.WithTestTimeout();

        var lateReader = grain.ReadBlock("late-reader");
        await grain.Ping().WithTestTimeout();
        Assert.Contains("enter:writer", silo.Probe.Events);
        Assert.DoesNotContain("enter:late-reader", silo.Probe.Events);
        silo.Probe.Signal("writer").SetResult();
        silo.Probe.Signal("late-reader").SetResult();
        await Task.WhenAll(writer, lateReader).WithTestTimeout();
    }
}
