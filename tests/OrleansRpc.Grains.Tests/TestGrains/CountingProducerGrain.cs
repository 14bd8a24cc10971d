using OrleansRpc.Grains.Tests.Infrastructure;

namespace OrleansRpc.Grains.Tests.TestGrains;

public interface ICountingProducerGrain : IGrainWithStringKey
{
    IAsyncEnumerable<int> Produce(int count);
}

/// <summary>Every item is ready at once and recorded as "produced:{i}" when the producer makes it.</summary>
public sealed class CountingProducerGrain(Probe probe) : Grain, ICountingProducerGrain
{
#pragma warning disable CS1998 // Synchronous on purpose: every item is ready, so a step takes a full batch.
    public async IAsyncEnumerable<int> Produce(int count)
#pragma warning restore CS1998
    {
        for (var i = 0; i < count; i++)
        {
            probe.Record("produced:" + i);
            yield return i;
        }
    }
}
