using System.Runtime.CompilerServices;
using OrleansRpc.Grains.Tests.Infrastructure;

namespace OrleansRpc.Grains.Tests.TestGrains;

public interface IEnumeratingGrain : IGrainWithStringKey
{
    IAsyncEnumerable<int> Range(int count);

    IAsyncEnumerable<int> Endless(CancellationToken cancellationToken);

    IAsyncEnumerable<int> FailAfter(int count);

    Task<int> Ping();
}

public sealed class EnumeratingGrain(Probe probe) : Grain, IEnumeratingGrain
{
    public async IAsyncEnumerable<int> Range(int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (i % 10 == 9)
            {
                await Task.Yield();
            }

            yield return i;
        }
    }

    public async IAsyncEnumerable<int> Endless([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            for (var i = 0; ; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await Task.Yield();
                yield return i;
            }
        }
        finally
        {
            probe.Record("producer-finally:" + cancellationToken.IsCancellationRequested);
            probe.Signal("producer-finally").TrySetResult();
        }
    }

    public async IAsyncEnumerable<int> FailAfter(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return i;
        }

        await Task.Yield();
        throw new CustomGrainException("producer failed");
    }

    public Task<int> Ping() => Task.FromResult(42);
}
