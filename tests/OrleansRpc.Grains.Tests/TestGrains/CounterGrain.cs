using OrleansRpc.Grains.Runtime;
using OrleansRpc.Grains.Tests.Infrastructure;

namespace OrleansRpc.Grains.Tests.TestGrains;

public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> Increment();

    Task<string> GetKey();

    Task<int> GetInstanceId();

    Task DeactivateSelf();

    Task DelayDeactivationBy(TimeSpan span);
}

/// <summary>Constructor-injected (Probe, TimeProvider); records its life cycle.</summary>
public sealed class CounterGrain(Probe probe, TimeProvider time) : Grain, ICounterGrain
{
    private readonly int _instanceId = probe.NextId();
    private int _count;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _ = time.GetUtcNow();
        probe.Record($"activate:{this.GetPrimaryKeyString()}:{_instanceId}");
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        probe.Record($"deactivate:{this.GetPrimaryKeyString()}:{_instanceId}:{reason.ReasonCode}");
        return Task.CompletedTask;
    }

    public Task<int> Increment() => Task.FromResult(++_count);

    public Task<string> GetKey() => Task.FromResult(this.GetPrimaryKeyString());

    public Task<int> GetInstanceId() => Task.FromResult(_instanceId);

    public Task DeactivateSelf()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task DelayDeactivationBy(TimeSpan span)
    {
        DelayDeactivation(span);
        return Task.CompletedTask;
    }
}
