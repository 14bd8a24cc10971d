using System.Collections.Concurrent;

namespace OrleansRpc.Client;

/// <summary>
/// Reusable timeout sources: a call that ends before its timeout resets and returns its source, so the common path
/// allocates no <see cref="CancellationTokenSource"/> per call.
/// </summary>
internal static class RapTimeoutSources
{
    private const int MaxPooled = 4096;
    private static readonly ConcurrentQueue<CancellationTokenSource> s_pool = new();
    private static int s_count;

    public static CancellationTokenSource Rent(TimeSpan timeout)
    {
        if (s_pool.TryDequeue(out var source))
        {
            Interlocked.Decrement(ref s_count);
        }
        else
        {
            source = new CancellationTokenSource();
        }

        source.CancelAfter(timeout);
        return source;
    }

    public static void Return(CancellationTokenSource source)
    {
        // TryReset fails once the source fired; such sources are not reused.
        if (source.TryReset() && Interlocked.Increment(ref s_count) <= MaxPooled)
        {
            s_pool.Enqueue(source);
            return;
        }

        if (!source.IsCancellationRequested)
        {
            Interlocked.Decrement(ref s_count);
        }

        source.Dispose();
    }
}
