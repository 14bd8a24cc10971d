using OrleansRpc.Grains;
using OrleansRpc.Grains.Concurrency;

namespace OrleansRpc.Benchmarks.Grains;

public interface IBenchWorkerGrain : IGrainWithStringKey
{
    ValueTask<int> Echo(int value);
}

public interface IBenchSessionGrain : IGrainWithStringKey
{
    ValueTask<int> Echo(int value);
}

[StatelessWorker]
public sealed class BenchWorkerGrain : Grain, IBenchWorkerGrain
{
    public ValueTask<int> Echo(int value) => new(value);
}

public sealed class BenchSessionGrain : Grain, IBenchSessionGrain
{
    private int _calls;

    public ValueTask<int> Echo(int value) => new(value + (_calls++ & 0));
}
