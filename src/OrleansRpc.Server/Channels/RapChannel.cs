using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Server;

/// <summary>
/// A running channel inside its host grain: the client→server inbox (messages delivered by grain calls, put back in
/// sequence order) and the server→client outbox (read by the gateway through the host's <c>IAsyncEnumerable</c>),
/// each bounded by <see cref="RapServerOptions.ChannelBufferCapacity"/>, so a slow side slows the other. The channel
/// ends exactly once: the client's drop, the handler returning or throwing, <see cref="CloseAsync"/>, connection
/// loss or shutdown; the handler's token is the channel's own <see cref="Aborted"/>.
/// </summary>
public sealed class RapChannel : IRapChannel
{
    private readonly Channel<MessagePackValue> _incoming;
    private readonly Channel<byte[]> _outgoing;
    private readonly CancellationTokenSource _aborted = new();
    private readonly TaskCompletionSource<RapChannelEndReason> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _deliveryGate = new(1, 1);
    private readonly SortedDictionary<long, byte[]> _early = [];
    private long _nextSequence;
    private int _ended;

    internal RapChannel(string id, RapCallContext context, int capacity)
    {
        Id = id;
        Context = context;
        var options = new BoundedChannelOptions(Math.Max(1, capacity)) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait };
        _incoming = Channel.CreateBounded<MessagePackValue>(options);
        _outgoing = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(Math.Max(1, capacity)) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    public string Id { get; }

    public RapCallContext Context { get; }

    public CancellationToken Aborted => _aborted.Token;

    public bool IsClosed => Volatile.Read(ref _ended) != 0;

    public Task<RapChannelEndReason> Completion => _completion.Task;

    /// <summary>The handler's exception when it ended with <see cref="RapChannelEndReason.HandlerFaulted"/>.</summary>
    public Exception? Fault { get; private set; }

    /// <summary>The handler task (completes after the handler has really returned).</summary>
    internal Task HandlerTask { get; set; } = Task.CompletedTask;

    /// <summary>
    /// The client's message number <paramref name="sequence"/>. Messages that overtook an earlier one wait for it; the
    /// call completes when the inbox took the message (back-pressure). Dropped once the channel has ended.
    /// </summary>
    internal async Task DeliverAsync(long sequence, byte[] message, CancellationToken cancellationToken)
    {
        await _deliveryGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (sequence < _nextSequence)
            {
                return; // a duplicate
            }

            _early[sequence] = message;
            while (!IsClosed && _early.Remove(_nextSequence, out byte[]? next))
            {
                _nextSequence++;
                MessagePackValue body = MessagePackValue.Parse(next);
                try
                {
                    await _incoming.Writer.WriteAsync(body, cancellationToken).ConfigureAwait(false);
                }
                catch (ChannelClosedException)
                {
                    return; // ended while the handler was behind
                }
            }
        }
        finally
        {
            _deliveryGate.Release();
        }
    }

    /// <summary>Ends the channel from outside the handler (drop, lost connection, shutdown). False when it had ended.</summary>
    internal bool Abort(RapChannelEndReason reason) => End(reason, null);

    public async ValueTask<MessagePackValue> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (await WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_incoming.Reader.TryRead(out var item))
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

        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(buffer);
        body.Write(ref writer);
        writer.Flush();

        // Only link when the caller passed a token of its own: a per-message linked source would allocate.
        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _aborted.Token) : null;
        try
        {
            // Waits while the gateway is behind (the outbox is full).
            await _outgoing.Writer.WriteAsync(buffer.WrittenSpan.ToArray(), linked?.Token ?? _aborted.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (_aborted.IsCancellationRequested)
        {
            throw new RapChannelClosedException("channel is closed", ex);
        }
        catch (ChannelClosedException ex)
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

    /// <summary>The outbox for the gateway: every message the handler wrote, then the end event.</summary>
    internal async IAsyncEnumerable<RapChannelEvent> ReadOutgoingAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await _outgoing.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_outgoing.Reader.TryRead(out byte[]? message))
            {
                yield return new RapChannelEvent { Message = message };
            }
        }

        RapChannelEndReason reason = await Completion.ConfigureAwait(false);
        yield return new RapChannelEvent
        {
            EndReason = reason,
            Fault = Fault is null ? null : Protocol.Errors.PythonExceptionMapper.Default.Map(Fault).Name,
        };
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

        // Cancel before completing the inbox: a handler woken by the end of its input must already see Aborted.
        if (reason is RapChannelEndReason.PeerDropped or RapChannelEndReason.ConnectionLost or RapChannelEndReason.ServerShutdown)
        {
            _aborted.Cancel();
        }

        _incoming.Writer.TryComplete();
        if (reason is RapChannelEndReason.ConnectionLost or RapChannelEndReason.ServerShutdown)
        {
            // Nothing can be sent any more: drop what is queued.
            while (_outgoing.Reader.TryRead(out _))
            {
            }
        }

        _outgoing.Writer.TryComplete();
        _completion.TrySetResult(reason);
        return true;
    }
}
