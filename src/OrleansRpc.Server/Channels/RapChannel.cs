using System.Threading.Channels;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Server;

/// <summary>
/// A running channel: a pair of bounded streams (client→server <c>DeliverAsync</c>, server→client
/// <see cref="Outgoing"/>) plus the handler task. The gateway owns one per channel id: it delivers client MSG
/// bodies, sends every <see cref="Outgoing"/> item as a MSG, calls <see cref="Drop"/> on a client drop and
/// <see cref="Abort"/> when the connection is lost, and sends the server drop when <see cref="Outgoing"/> completes
/// after <see cref="Completion"/> (unless the connection is gone).
/// </summary>
public sealed class RapChannel : IRapChannel, IDisposable
{
    private readonly Channel<MessagePackValue> _incoming;
    private readonly Channel<MessagePackValue> _outgoing;
    private readonly CancellationTokenSource _aborted = new();
    private readonly TaskCompletionSource<RapChannelEndReason> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _ended;

    internal RapChannel(string id, RapCallContext context, int capacity)
    {
        Id = id;
        Context = context;
        var options = new BoundedChannelOptions(Math.Max(1, capacity)) { SingleReader = true, SingleWriter = false, FullMode = BoundedChannelFullMode.Wait };
        _incoming = Channel.CreateBounded<MessagePackValue>(options);
        _outgoing = Channel.CreateBounded<MessagePackValue>(options);
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

    /// <summary>Server→client messages; completes when the channel ends (drain it, then send the drop).</summary>
    public ChannelReader<MessagePackValue> Outgoing => _outgoing.Reader;

    /// <summary>Gateway: a client MSG body; waits while the handler is behind (back-pressure).</summary>
    public async ValueTask DeliverAsync(MessagePackValue body, CancellationToken cancellationToken = default)
    {
        try
        {
            await _incoming.Writer.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            throw new RapChannelClosedException("channel is closed", ex);
        }
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
        try
        {
            return await _incoming.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            throw new RapChannelClosedException("channel is closed", ex);
        }
    }

    public async ValueTask WriteAsync(MessagePackValue body, CancellationToken cancellationToken = default)
    {
        // Only link when the caller passed a token of its own: a per-message linked source would allocate.
        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _aborted.Token) : null;
        try
        {
            await _outgoing.Writer.WriteAsync(body, linked?.Token ?? _aborted.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ChannelClosedException || (ex is OperationCanceledException && _aborted.IsCancellationRequested))
        {
            throw new RapChannelClosedException("channel is closed", ex);
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
            while (_incoming.Reader.TryRead(out var item))
            {
                yield return item;
            }
        }
    }

    public void Dispose() => _aborted.Dispose();

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
    }

    private async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _incoming.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
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
        _incoming.Writer.TryComplete();
        if (reason is RapChannelEndReason.ConnectionLost or RapChannelEndReason.ServerShutdown)
        {
            // Nothing can be sent any more: drop what is queued.
            while (_outgoing.Reader.TryRead(out _))
            {
            }
        }

        _outgoing.Writer.TryComplete();
        if (reason is RapChannelEndReason.PeerDropped or RapChannelEndReason.ConnectionLost or RapChannelEndReason.ServerShutdown)
        {
            _aborted.Cancel();
        }

        _completion.TrySetResult(reason);
        return true;
    }
}
