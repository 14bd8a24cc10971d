namespace OrleansRpc.Grains.Streams;

/// <summary>Something observers subscribe to.</summary>
public interface IAsyncObservable<T>
{
    /// <summary>
    /// Subscribes an observer: it gets its own bounded buffer, and a pump awaits each of its callbacks before
    /// delivering the next event, so a slow observer slows the producer.
    /// </summary>
    Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer);

    Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer, StreamSequenceToken? token, string? filterData = null);
}
