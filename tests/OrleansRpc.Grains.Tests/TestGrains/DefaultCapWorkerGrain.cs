using OrleansRpc.Grains.Concurrency;
using OrleansRpc.Grains.Tests.Infrastructure;

namespace OrleansRpc.Grains.Tests.TestGrains;

public interface IDefaultCapWorkerGrain : IGrainWithStringKey
{
    /// <summary>Waits for the signal; returns the worker id.</summary>
    Task<int> Block(string signal);
}

/// <summary>A stateless worker without a cap: Orleans' default is the processor count.</summary>
[StatelessWorker]
public sealed class DefaultCapWorkerGrain(Probe probe) : Grain, IDefaultCapWorkerGrain
{
    private readonly int _id = probe.NextId();

    public async Task<int> Block(string signal)
    {
        probe.Enter();
        try
        {
            await probe.Signal(signal).Task;
        }
        finally
        {
            probe.Exit();
        }

        return _id;
    }
}
