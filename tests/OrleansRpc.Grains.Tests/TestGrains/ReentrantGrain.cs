using OrleansRpc.Grains.Concurrency;
using OrleansRpc.Grains.Tests.Infrastructure;

namespace OrleansRpc.Grains.Tests.TestGrains;

public interface IReentrantGrain : IGrainWithStringKey
{
    /// <summary>The gate opens only once two calls are inside at the same time.</summary>
    Task Gate(string gate);

    /// <summary>Checks that turns never run on two threads at once, even interleaved.</summary>
    Task<int> Work(int yields);
}

[Reentrant]
public sealed class ReentrantGrain(Probe probe) : Grain, IReentrantGrain
{
    private int _running;
    private int _parallel;

    public async Task Gate(string gate)
    {
        if (probe.Enter() >= 2)
        {
            probe.Signal(gate).TrySetResult();
        }

        try
        {
            await probe.Signal(gate).Task;
        }
        finally
        {
            probe.Exit();
        }
    }

    public async Task<int> Work(int yields)
    {
        for (var i = 0; i < yields; i++)
        {
            // Interleaving is allowed across awaits, parallel execution between them is not.
            if (Interlocked.Increment(ref _running) > 1)
            {
                Interlocked.Increment(ref _parallel);
            }

            Thread.SpinWait(50);
            Interlocked.Decrement(ref _running);
            await Task.Yield();
        }

        return _parallel;
    }
}
