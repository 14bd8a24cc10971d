using OrleansRpc.Grains.Runtime;
using OrleansRpc.Grains.Tests.Infrastructure;

namespace OrleansRpc.Grains.Tests.TestGrains;

public interface IPocoGrain : IGrainWithStringKey
{
    Task<string> Describe();
}

/// <summary>No Grain base class: the context comes through the constructor, the life cycle through IGrainBase.</summary>
public sealed class PocoGrain(IGrainContext context, Probe probe) : IGrainBase, IPocoGrain
{
    public IGrainContext GrainContext { get; } = context;

    public Task OnActivateAsync(CancellationToken cancellationToken)
    {
        probe.Record("poco-activated");
        return Task.CompletedTask;
    }

    public Task<string> Describe() => Task.FromResult(GrainContext.GrainId.ToString());
}
