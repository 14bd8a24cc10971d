using System.Collections.Concurrent;

namespace OrleansRpc.Server.Dispatch;

/// <summary>Reuses timeout sources (and their timers) across calls: a reset source costs nothing to rent.</summary>
internal sealed class CancellationSourcePool(TimeProvider time)
{
    private const int MaxPooled = 256;
    private readonly ConcurrentQueue<CancellationTokenSource> _pool = new();

    public CancellationTokenSource Rent()
        => _pool.TryDequeue(out var source) ? source
            : time == TimeProvider.System ? new CancellationTokenSource()
            : new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);

    public void Return(CancellationTokenSource source)
    {
        if (_pool.Count < MaxPooled && source.TryReset())
        {
            _pool.Enqueue(source);
        }
        else
        {
            source.Dispose();
        }
    }
}
