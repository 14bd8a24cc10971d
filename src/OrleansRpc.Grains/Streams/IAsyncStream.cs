using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Streams;

/// <summary>
/// A stream keyed by <see cref="StreamId"/>. Unlike Orleans' memory streams, delivery is back-pressured: each
/// subscription has a bounded buffer and <c>OnNextAsync</c> completes only once the event is in every
/// subscription's buffer. With no subscription, an event is dropped (subscribe before producing).
/// </summary>
public interface IAsyncStream<T> : IAsyncObserver<T>, IAsyncObservable<T>, IEquatable<IAsyncStream<T>>
{
    StreamId StreamId { get; }

    string ProviderName { get; }

    /// <summary>Always false here: memory streams keep no history.</summary>
    bool IsRewindable { get; }

    /// <summary>Like <see cref="IAsyncObserver{T}.OnNextAsync"/>, but the wait for buffer room can be cancelled.</summary>
    ValueTask OnNextAsync(T item, CancellationToken cancellationToken);

    /// <summary>Subscribes a pull-style reader; <paramref name="bufferCapacity"/> overrides the provider's default.</summary>
    Task<StreamSubscriptionReader<T>> SubscribeReaderAsync(int? bufferCapacity = null, CancellationToken cancellationToken = default);

    Task<IList<StreamSubscriptionHandle<T>>> GetAllSubscriptionHandles();
}
