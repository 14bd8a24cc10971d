using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using OrleansRpc.Grains.Runtime;
using OrleansRpc.Grains.Streams;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Server;

/// <summary>
/// A running channel: a pair of grain streams (memory provider <see cref="RapStreams.ProviderName"/>), client→server
/// (<c>DeliverAsync</c> produces, the handler reads) and server→client (the handler writes, the gateway drains
/// <see cref="Outgoing"/>), each read through a subscription with a bounded buffer taken before anything is produced,
/// plus the handler task. The gateway owns one per channel id: it delivers client MSG bodies, sends every
/// <see cref="Outgoing"/> item as a MSG, calls <see cref="Drop"/> on a client drop and <see cref="Abort"/> when the
/// connection is lost, and sends the server drop when <see cref="Outgoing"/> completes after <see cref="Completion"/>
/// (unless the connection is gone). The handler's token is the channel's own <see cref="Aborted"/>, never a grain call's.
/// </summary>
public sealed class RapChannel : IRapChannel, IDisposable
{
    private static long s_nextStreamKey;
    private readonly IAsyncStream<MessagePackValue> _incomingStream;
    private readonly IAsyncStream<MessagePackValue> _outgoingStream;
    private readonly StreamSubscriptionReader<MessagePackValue> _incoming;
    private readonly StreamSubscriptionReader<MessagePackValue> _outgoingReader;
    private readonly CancellationTokenSource _aborted = new();
    private readonly TaskCompletionSource<RapChannelEndReason> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _ended;

    internal RapChannel(string id, RapCallContext context, IStreamProvider streams, int capacity)
    {
        Id = id;
        Context = context;
        capacity = Math.Max(1, capacity);

        // Channel ids are per connection: the streams get a process-wide key of their own.
        var key = Interlocked.Increment(ref s_nextStreamKey);
        _incomingStream = streams.GetStream<MessagePackValue>(StreamId.Create(RapStreams.ChannelInNamespace, key));
        _outgoingStream = streams.GetStream<MessagePackValue>(StreamId.Create(RapStreams.ChannelOutNamespace, key));

        // Both subscriptions exist before the handler or the gateway can produce (in process they complete synchronously).
        _incoming = _incomingStream.SubscribeReaderAsync(capacity).GetAwaiter().GetResult();
        _outgoingReader = _outgoingStream.SubscribeReaderAsync(capacity).GetAwaiter().GetResult();
        Outgoing = new OutgoingReader(this);
    }

    public string Id { get; }

    public RapCallContext Context { get; }

    public CancellationToken Aborted => _aborted.Token;

    public bool IsClosed => Volatile.Read(ref _ended) != 0;

    public Task<RapChannelEndReason> Completion => _completion.Task;

    /// <summary>The handler's exception when it ended with <see cref="RapChannelEndReason.HandlerFaulted"/>.</summary>
    public Exception? Fault { get; private set; }

    /// <summary>The handler task (completes after the handler has really returned).</summary>
    public Task HandlerTask { get; internal set; } = Task.CompletedTask;

    /// <summary>The client→server stream (diagnostics and tests).</summary>
    public StreamId IncomingStreamId => _incomingStream.StreamId;

    /// <summary>The server→client stream (diagnostics and tests).</summary>
    public StreamId OutgoingStreamId => _outgoingStream.StreamId;

    /// <summary>Server→client messages (the outgoing stream's subscription); completes when the channel ends (drain it, then send the drop).</summary>
    public ChannelReader<MessagePackValue> Outgoing { get; }

    /// <summary>Gateway: a client MSG body; waits while the handler is behind (back-pressure).</summary>
    public async ValueTask DeliverAsync(MessagePackValue body, CancellationToken cancellationToken = default)
    {
        if (IsClosed)
        {
            throw new RapChannelClosedException("channel is closed");
        }

        await _incomingStream.OnNextAsync(body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gateway: a client MSG body as raw msgpack (decoded here; the bytes may be reused afterwards).</summary>
    public ValueTask DeliverAsync(System.Buffers.ReadOnlySequence<byte> body, CancellationToken cancellationToken = default)
        => DeliverAsync(MessagePackValue.Parse(body), cancellationToken);

    /// <summary>Gateway: the client sent a drop. Returns false when the channel had already ended.</summary>
    public bool Drop() => End(RapChannelEndReason.PeerDropped, null);

    /// <summary>Gateway: the connection is gone (or the server shuts down). Returns false when already ended.</summary>
    public bool Abort(RapChannelEndReason reason = RapChannelEndReason.ConnectionLost) => End(reason, null);

    public async ValueTask<MessagePackValue> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (await _incoming.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_incoming.TryRead(out var item))
            {
                return item;
            }
        }

        throw new RapChannelClosedException("channel is closed");
    }

    public async ValueTask WriteAsync(MessagePackValue body, CancellationToken cancellationToken = default)
    {
        if (IsClosed)
        {
            throw new RapChannelClosedException("channel is closed");
        }

        // Only link when the caller passed a token of its own: a per-message linked source would allocate.
        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _aborted.Token) : null;
        try
        {
            // Waits while the gateway is behind (the subscription's buffer is full).
            await _outgoingStream.OnNextAsync(body, linked?.Token ?? _aborted.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (_aborted.IsCancellationRequested)
        {
            throw new RapChannelClosedException("channel is closed", ex);
        }

        if (IsClosed)
        {
            // Ended while this write waited for room: the message was not sent.
            throw new RapChannelClosedException("channel is closed");
        }
    }

    public ValueTask CloseAsync()
    {
        End(RapChannelEndReason.HandlerCompleted, null);
        return default;
    }

    public async IAsyncEnumerator<MessagePackValue> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        while (await WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_incoming.TryRead(out var item))
            {
                yield return item;
            }
        }
    }

    public void Dispose()
    {
        // Unsubscribing lets the provider forget the completed streams.
        _ = _incoming.DisposeAsync();
        _ = _outgoingReader.DisposeAsync();
        _aborted.Dispose();
    }

    internal void HandlerFinished(Exception? exception)
    {
        if (exception is null || (exception is OperationCanceledException && IsClosed))
        {
            End(RapChannelEndReason.HandlerCompleted, null);
        }
        else
        {
            End(RapChannelEndReason.HandlerFaulted, exception);
        }

        // The handler will not read any more: release the client→server subscription.
        _ = _incoming.DisposeAsync();
    }

    private async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _incoming.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (IsClosed && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    // The single end path: whoever gets here first decides the reason; later calls are no-ops.
    private bool End(RapChannelEndReason reason, Exception? fault)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return false;
        }

        Fault = fault;

        // Cancel before completing the streams: a handler woken by the end of its input must already see Aborted.
        if (reason is RapChannelEndReason.PeerDropped or RapChannelEndReason.ConnectionLost or RapChannelEndReason.ServerShutdown)
        {
            try
            {
                _aborted.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The gateway disposes a channel once its handler has finished; a drop or a lost connection that
                // arrives after that has nobody left to cancel.
            }
        }

        _ = _incomingStream.OnCompletedAsync();
        if (reason is RapChannelEndReason.ConnectionLost or RapChannelEndReason.ServerShutdown)
        {
            // Nothing can be sent any more: drop what is queued.
            while (_outgoingReader.TryRead(out _))
            {
            }
        }

        _ = _outgoingStream.OnCompletedAsync();
        _completion.TrySetResult(reason);
        return true;
    }

    /// <summary>The outgoing stream's subscription seen as a <see cref="ChannelReader{T}"/> (the gateway's seam).</summary>
    private sealed class OutgoingReader(RapChannel channel) : ChannelReader<MessagePackValue>
    {
        public override Task Completion => channel._outgoingReader.Completion;

        public override bool TryRead([MaybeNullWhen(false)] out MessagePackValue item) => channel._outgoingReader.TryRead(out item);

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
            => channel._outgoingReader.WaitToReadAsync(cancellationToken);
    }
}
