using System.Runtime.CompilerServices;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Streams;

/// <summary>
/// One memory stream. <c>OnNextAsync</c> writes the event into every subscription's bounded buffer, waiting
/// for room where a buffer is full: a slow consumer slows its producer and memory stays flat.
/// </summary>
internal sealed class MemoryAsyncStream<T> : IAsyncStream<T>
{
    private readonly MemoryStreamProvider _provider;
    private readonly Lock _lock = new();
    private MemoryStreamSubscription<T>[] _subscriptions = [];
    private bool _completed;
    private Exception? _error;

    public MemoryAsyncStream(MemoryStreamProvider provider, StreamId streamId)
    {
        _provider = provider;
        StreamId = streamId;
    }

    public StreamId StreamId { get; }

    public string ProviderName => _provider.Name;

    public bool IsRewindable => false;

    public Task OnNextAsync(T item, StreamSequenceToken? token = null) => OnNextAsync(item, CancellationToken.None).AsTask();

    public ValueTask OnNextAsync(T item, CancellationToken cancellationToken)
    {
        var subscriptions = Volatile.Read(ref _subscriptions);
        for (var i = 0; i < subscriptions.Length; i++)
        {
            if (!subscriptions[i].TryWrite(item))
            {
                return WriteSlowAsync(subscriptions, i, item, cancellationToken);
            }
        }

        return ValueTask.CompletedTask;
    }

    public Task OnCompletedAsync()
    {
        MemoryStreamSubscription<T>[] subscriptions;
        lock (_lock)
        {
            _completed = true;
            subscriptions = _subscriptions;
        }

        foreach (var subscription in subscriptions)
        {
            subscription.Complete(null);
        }

        ForgetIfDone();
        return Task.CompletedTask;
    }

    public Task OnErrorAsync(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        MemoryStreamSubscription<T>[] subscriptions;
        lock (_lock)
        {
            _completed = true;
            _error = ex;
            subscriptions = _subscriptions;
        }

        foreach (var subscription in subscriptions)
        {
            subscription.Complete(ex);
        }

        ForgetIfDone();
        return Task.CompletedTask;
    }

    public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer) => SubscribeAsync(observer, null);

    public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer, StreamSequenceToken? token, string? filterData = null)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var subscription = Add(null);
        subscription.StartPump(observer, _provider.Logger);
        return Task.FromResult<StreamSubscriptionHandle<T>>(subscription);
    }

    public Task<StreamSubscriptionReader<T>> SubscribeReaderAsync(int? bufferCapacity = null, CancellationToken cancellationToken = default)
    {
        if (bufferCapacity is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(bufferCapacity), "The buffer capacity must be at least 1.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<StreamSubscriptionReader<T>>(Add(bufferCapacity));
    }

    public Task<IList<StreamSubscriptionHandle<T>>> GetAllSubscriptionHandles() =>
        Task.FromResult<IList<StreamSubscriptionHandle<T>>>([.. Volatile.Read(ref _subscriptions)]);

    public bool Equals(IAsyncStream<T>? other) =>
        other is not null && StreamId == other.StreamId && string.Equals(ProviderName, other.ProviderName, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as IAsyncStream<T>);

    public override int GetHashCode() => StreamId.GetHashCode();

    public override string ToString() => $"{ProviderName}:{StreamId}";

    internal void Remove(MemoryStreamSubscription<T> subscription)
    {
        lock (_lock)
        {
            var index = Array.IndexOf(_subscriptions, subscription);
            if (index < 0)
            {
                return;
            }

            _subscriptions = [.. _subscriptions[..index], .. _subscriptions[(index + 1)..]];
        }

        ForgetIfDone();
    }

    /// <summary>A completed stream nobody reads any more is dropped from the provider, so finished streams do not pile up.</summary>
    private void ForgetIfDone()
    {
        bool forget;
        lock (_lock)
        {
            forget = _completed && _subscriptions.Length == 0;
        }

        if (forget)
        {
            _provider.Forget(StreamId, this);
        }
    }

    private MemoryStreamSubscription<T> Add(int? bufferCapacity)
    {
        var subscription = new MemoryStreamSubscription<T>(this, bufferCapacity ?? _provider.Options.BufferCapacity);
        lock (_lock)
        {
            if (_completed)
            {
                // Nothing more will come: the subscription ends (or fails) at once.
                subscription.Complete(_error);
            }
            else
            {
                _subscriptions = [.. _subscriptions, subscription];
            }
        }

        return subscription;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask WriteSlowAsync(MemoryStreamSubscription<T>[] subscriptions, int from, T item, CancellationToken cancellationToken)
    {
        for (var i = from; i < subscriptions.Length; i++)
        {
            await subscriptions[i].WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
    }
}
