using OrleansRpc.Grains.Runtime;
using OrleansRpc.Grains.Tests.Infrastructure;

namespace OrleansRpc.Grains.Tests.TestGrains;

public interface IKeepAliveGrain : IGrainWithStringKey
{
    Task Touch();
}

public interface IShortLivedGrain : IGrainWithStringKey
{
    Task Touch();
}

[KeepAlive]
public sealed class KeepAliveGrain(Probe probe) : Grain, IKeepAliveGrain
{
    public Task Touch() => Task.CompletedTask;

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        probe.Record("deactivate:keepalive:" + reason.ReasonCode);
        return Task.CompletedTask;
    }
}

[CollectionAgeLimit(Minutes = 2)]
public sealed class ShortLivedGrain(Probe probe) : Grain, IShortLivedGrain
{
    public Task Touch() => Task.CompletedTask;

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        probe.Record("deactivate:shortlived:" + reason.ReasonCode);
        return Task.CompletedTask;
    }
}
