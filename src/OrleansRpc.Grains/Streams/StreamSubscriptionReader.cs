namespace OrleansRpc.Grains.Streams;

/// <summary>
/// A pull-style subscription: read events at your own pace. Its buffer is bounded, so while it is full the
/// producer's <c>OnNextAsync</c> waits. Enumerate it, or use <see cref="TryRead"/>/<see cref="WaitToReadAsync"/>
/// to drain in batches. Enumeration ends after <c>OnCompletedAsync</c> and throws after <c>OnErrorAsync</c>.
/// Disposing unsubscribes.
/// </summary>
public abstract class StreamSubscriptionReader<T> : StreamSubscriptionHandle<T>, IAsyncEnumerable<T>, IAsyncDisposable
{
    /// <summary>Takes one buffered event, if any.</summary>
    public abstract bool TryRead(out T item);

    /// <summary>
    /// Waits until an event is buffered (true) or the stream has completed (false). Throws the producer's
    /// error after <c>OnErrorAsync</c>.
    /// </summary>
    public abstract ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default);

    /// <summary>Completes when the stream has completed and every buffered event was read.</summary>
    public abstract Task Completion { get; }

    public abstract IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default);

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return new ValueTask(UnsubscribeAsync());
    }
}
