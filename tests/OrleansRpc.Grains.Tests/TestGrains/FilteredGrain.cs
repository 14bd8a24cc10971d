using OrleansRpc.Grains.Tests.Infrastructure;

namespace OrleansRpc.Grains.Tests.TestGrains;

public interface IFilteredGrain : IGrainWithStringKey
{
    Task<string> Echo(string text);

    Task Nothing();
}

/// <summary>A grain that is its own (grain-level) call filter.</summary>
public sealed class FilteredGrain(Probe probe) : Grain, IFilteredGrain, IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        probe.Record("G-before");
        await context.Invoke();
        probe.Record("G-after");
    }

    public Task<string> Echo(string text)
    {
        probe.Record("method:" + text);
        return Task.FromResult(text);
    }

    public Task Nothing()
    {
        probe.Record("method:nothing");
        return Task.CompletedTask;
    }
}
