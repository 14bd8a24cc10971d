using System.Collections.Concurrent;

namespace OrleansRpc.Grains.Messaging;

/// <summary>
/// Reuses the per-call <see cref="CancellationTokenSource"/>s of calls that were never cancelled (as Kestrel does),
/// keeping the call path at one allocation.
/// </summary>
internal static class CancellationTokenSourcePool
{
    private const int MaxPooled = 1024;
    private static readonly ConcurrentQueue<CancellationTokenSource> s_pool = new();
    private static int s_count;

    public static CancellationTokenSource Rent()
    {
        if (s_pool.TryDequeue(out var cts))
        {
            Interlocked.Decrement(ref s_count);
            return cts;
        }

        return new CancellationTokenSource();
    }

    public static void Return(CancellationTokenSource cts)
    {
        if (!cts.TryReset())
        {
            cts.Dispose();
            return;
        }

        if (Interlocked.Increment(ref s_count) > MaxPooled)
        {
            Interlocked.Decrement(ref s_count);
            cts.Dispose();
            return;
        }

        s_pool.Enqueue(cts);
    }
}
