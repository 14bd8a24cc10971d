using OrleansRpc.Grains.Tests.Infrastructure;
using OrleansRpc.Grains.Tests.TestGrains;

namespace OrleansRpc.Grains.Tests;

public class InlineExecutionTests
{
    private static readonly GrainMethod s_work = GrainMethod.Create<ISchedulingGrain>(nameof(ISchedulingGrain.Work));
    private static readonly GrainMethod s_add = GrainMethod.Create<IShapesGrain>(nameof(IShapesGrain.Add));
    private static readonly GrainCallOptions s_inline = new() { AllowInlineExecution = true };

    [Fact]
    public async Task An_inline_call_to_an_idle_activation_completes_synchronously()
    {
        await using var silo = await TestSilo.StartAsync();
        var reference = silo.GrainFactory.GetGrain<IShapesGrain>("inline").AsGrainReference();
        await reference.InvokeAsync<IShapesGrain, (int, int), int>(s_add, (1, 1), static (g, a, _) => new ValueTask<int>(g.Add(a.Item1, a.Item2)), s_inline);

        // Once the activation is idle (its previous turn may still be finishing on another thread), an inline
        // call runs to completion on this thread.
        var synchronous = false;
        for (var i = 0; i < 1000 && !synchronous; i++)
        {
            await Task.Yield();
            var call = reference.InvokeAsync<IShapesGrain, (int, int), int>(s_add, (2, 3), static (g, a, _) => new ValueTask<int>(g.Add(a.Item1, a.Item2)), s_inline);
            synchronous = call.IsCompletedSuccessfully;
            Assert.Equal(5, await call);
        }

        Assert.True(synchronous);
    }

    [Fact]
    public async Task Inline_calls_keep_the_turn_rules_under_load()
    {
        await using var silo = await TestSilo.StartAsync();
        var reference = silo.GrainFactory.GetGrain<ISchedulingGrain>("inline-load").AsGrainReference();
        var calls = Enumerable.Range(0, 300).Select(_ => Task.Run(async () =>
            await reference.InvokeAsync<ISchedulingGrain, int>(s_work, 3, static (g, n, _) => new ValueTask(g.Work(n)), s_inline)));
        await Task.WhenAll(calls).WithTestTimeout();
        Assert.Equal(0, silo.Probe.Overlaps);
    }
}
