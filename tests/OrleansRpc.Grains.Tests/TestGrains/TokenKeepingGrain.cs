using OrleansRpc.Grains.Tests.Infrastructure;

namespace OrleansRpc.Grains.Tests.TestGrains;

public interface ITokenKeepingGrain : IGrainWithStringKey
{
    /// <summary>Returns at once, keeping its call's token for later (as a background task would).</summary>
    Task Keep(CancellationToken cancellationToken);

    Task Hang(CancellationToken cancellationToken);
}

[OrleansRpc.Grains.Concurrency.Reentrant]
public sealed class TokenKeepingGrain(Probe probe) : Grain, ITokenKeepingGrain
{
    public static readonly System.Collections.Concurrent.ConcurrentQueue<CancellationToken> Kept = new();

    public Task Keep(CancellationToken cancellationToken)
    {
        Kept.Enqueue(cancellationToken);
        return Task.CompletedTask;
    }

    public async Task Hang(CancellationToken cancellationToken)
    {
        probe.Signal("token-hang-entered").TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            probe.Signal("token-hang-cancelled").TrySetResult();
            throw;
        }
    }
}
