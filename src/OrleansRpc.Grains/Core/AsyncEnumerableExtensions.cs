namespace OrleansRpc.Grains;

/// <summary>Settings for <see cref="IAsyncEnumerable{T}"/> grain calls.</summary>
public static class AsyncEnumerableExtensions
{
    /// <summary>The largest batch one round trip carries (default 100). No effect on other enumerables.</summary>
    public static IAsyncEnumerable<T> WithBatchSize<T>(this IAsyncEnumerable<T> source, int maxBatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        return source is Messaging.GrainAsyncEnumerable<T> grainEnumerable ? grainEnumerable.WithBatchSize(maxBatchSize) : source;
    }
}
