using System.Runtime.CompilerServices;
using OrleansRpc.Grains;
using OrleansRpc.Grains.Concurrency;

namespace OrleansRpc.Benchmarks.Grains;

public interface IBenchWorkerGrain : IGrainWithStringKey
{
    ValueTask<int> Echo(int value);

    /// <summary>Completes on the thread pool, as an async rap function does (outside the activation's scheduler).</summary>
    ValueTask<int> EchoYield(int value);
}

public interface IBenchSessionGrain : IGrainWithStringKey
{
    ValueTask<int> Echo(int value);
}

[StatelessWorker]
public sealed class BenchWorkerGrain : Grain, IBenchWorkerGrain
{
    public ValueTask<int> Echo(int value) => new(value);

    // Pooled builder: the benchmark measures the runtime, not this method's state machine.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> EchoYield(int value)
    {
        SynchronizationContext.SetSynchronizationContext(null);
        await Task.Yield();
        return value;
    }
}

public sealed class BenchSessionGrain : Grain, IBenchSessionGrain
{
    private int _calls;

    public ValueTask<int> Echo(int value) => new(value + (_calls++ & 0));
}
