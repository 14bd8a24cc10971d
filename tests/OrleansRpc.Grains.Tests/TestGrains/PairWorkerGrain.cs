using OrleansRpc.Grains.Concurrency;
using OrleansRpc.Grains.Tests.Infrastructure;

namespace OrleansRpc.Grains.Tests.TestGrains;

public interface IPairWorkerGrain : IGrainWithStringKey
{
    /// <summary>Records "{worker}:{tag}" when the call starts running, then waits for the signal.</summary>
    Task<int> Block(string tag, string signal);
}

[StatelessWorker(2)]
public sealed class PairWorkerGrain(Probe probe) : Grain, IPairWorkerGrain
{
    private readonly int _id = probe.NextId();

    public async Task<int> Block(string tag, string signal)
    {
        probe.Record($"{_id}:{tag}");
        probe.Signal("started:" + tag).TrySetResult();
        await probe.Signal(signal).Task;
        return _id;
    }
}
