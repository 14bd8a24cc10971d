using OrleansRpc.Grains.Concurrency;
using OrleansRpc.Grains.Runtime;
using OrleansRpc.Grains.Tests.Infrastructure;

namespace OrleansRpc.Grains.Tests.TestGrains;

public interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>Records "{worker}:{tag}" on entry, then waits for the signal; returns the worker id.</summary>
    Task<int> Block(string tag, string signal);

    Task<int> WhoAmI();
}

[StatelessWorker(3)]
public sealed class WorkerGrain(Probe probe) : Grain, IWorkerGrain
{
    private readonly int _id = probe.NextId();

    public async Task<int> Block(string tag, string signal)
    {
        probe.Enter();
        probe.Record($"{_id}:{tag}");
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

    public Task<int> WhoAmI() => Task.FromResult(_id);

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        probe.Record($"worker-deactivated:{_id}:{reason.ReasonCode}");
        return Task.CompletedTask;
    }
}
