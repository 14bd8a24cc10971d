namespace OrleansRpc.Grains.Messaging;

/// <summary>The <see cref="IAsyncEnumerable{T}"/> returned for an <c>IAsyncEnumerable</c> grain method.</summary>
internal abstract class GrainAsyncEnumerable<TItem> : IAsyncEnumerable<TItem>
{
    public const int DefaultMaxBatchSize = 100;

    public abstract GrainAsyncEnumerable<TItem> WithBatchSize(int maxBatchSize);

    public abstract IAsyncEnumerator<TItem> GetAsyncEnumerator(CancellationToken cancellationToken = default);
}
