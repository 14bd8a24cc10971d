using OrleansRpc.Grains.Runtime;
using OrleansRpc.Grains.Tests.Infrastructure;

namespace OrleansRpc.Grains.Tests.TestGrains;

public interface ISlowLifecycleGrain : IGrainWithStringKey
{
    /// <summary>Returns the activation's id (the probe's creation counter).</summary>
    Task<int> Ping();

    /// <summary>Waits for the signal and ignores cancellation, so only a timeout can stop waiting for it.</summary>
    Task Hold(string signal);
}

/// <summary>
/// Life-cycle methods that hang until their token is cancelled: OnActivateAsync for the first activation of a
/// "hang-activate*" key, OnDeactivateAsync for every "hang-deactivate*" key.
/// </summary>
public sealed class SlowLifecycleGrain(Probe probe) : Grain, ISlowLifecycleGrain
{
    private readonly int _id = probe.NextId();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        probe.Record($"activate:{key}:{_id}");
        if (key.StartsWith("hang-activate", StringComparison.Ordinal) && _id == 1)
        {
            probe.Signal("activating:" + key).TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        probe.Record($"deactivate:{key}:{reason.ReasonCode}:inside={probe.Inside}");
        if (key.StartsWith("hang-deactivate", StringComparison.Ordinal))
        {
            probe.Signal("deactivating:" + key).TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                probe.Record($"deactivate-cancelled:{key}");
                throw;
            }
        }
    }

    public Task<int> Ping() => Task.FromResult(_id);

    public async Task Hold(string signal)
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
    }
}
