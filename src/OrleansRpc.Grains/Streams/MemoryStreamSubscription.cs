using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OrleansRpc.Grains.Diagnostics;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Streams;

/// <summary>One subscription: a bounded buffer, read by the subscriber or by a pump feeding an observer.</summary>
internal sealed class MemoryStreamSubscription<T> : StreamSubscriptionReader<T>
{
    private readonly MemoryAsyncStream<T> _stream;
    private readonly Channel<T> _buffer;
    private volatile bool _unsubscribed;

    public MemoryStreamSubscription(MemoryAsyncStream<T> stream, int capacity)
    {
        _stream = stream;
        _buffer = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
    }

    public override StreamId StreamId => _stream.StreamId;

    public override string ProviderName => _stream.ProviderName;

    public override Guid HandleId { get; } = Guid.NewGuid();

    public override Task Completion => _buffer.Reader.Completion;

    public override Task UnsubscribeAsync()
    {
        _unsubscribed = true;
        _stream.Remove(this);

        // A producer waiting for room in this buffer stops waiting: WaitToWriteAsync returns false.
        _buffer.Writer.TryComplete();
        return Task.CompletedTask;
    }

    public override bool TryRead(out T item) => _buffer.Reader.TryRead(out item!);

    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) =>
        _buffer.Reader.WaitToReadAsync(cancellationToken);

    public override IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        _buffer.Reader.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    internal bool TryWrite(T item) => _buffer.Writer.TryWrite(item) || _unsubscribed || _buffer.Reader.Completion.IsCompleted;

    // Pooled: a producer that keeps its subscriber's buffer full waits on every write.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal async ValueTask WriteAsync(T item, CancellationToken cancellationToken)
    {
        while (!_buffer.Writer.TryWrite(item))
        {
            if (!await _buffer.Writer.WaitToWriteAsync(cancellationToken).ConfigureAwait(false))
            {
                return; // unsubscribed or completed: the event is not for this subscription any more
            }
        }
    }

    internal void Complete(Exception? error) => _buffer.Writer.TryComplete(error);

    internal void StartPump(IAsyncObserver<T> observer, ILogger logger) => _ = PumpAsync(observer, logger);

    private async Task PumpAsync(IAsyncObserver<T> observer, ILogger logger)
    {
        // Leave any grain turn: the pump awaits the observer, which is what back-pressures the producer.
        await Task.Yield();
        try
        {
            try
            {
                await foreach (var item in _buffer.Reader.ReadAllAsync().ConfigureAwait(false))
                {
                    if (_unsubscribed)
                    {
                        return;
                    }

                    await observer.OnNextAsync(item).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (!_unsubscribed && _buffer.Reader.Completion.IsFaulted)
            {
                await observer.OnErrorAsync(ex).ConfigureAwait(false);
                return;
            }

            if (!_unsubscribed)
            {
                await observer.OnCompletedAsync().ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // An observer's failure ends its subscription, not the producer.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            GrainsLog.StreamObserverFailed(logger, StreamId, ex);
            await UnsubscribeAsync().ConfigureAwait(false);
        }
    }
}
