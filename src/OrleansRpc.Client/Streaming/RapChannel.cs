using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using OrleansRpc.Client.Connections;
using OrleansRpc.Client.Serialization;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Client;

/// <summary>
/// A rap channel (§2.10, §3.11): a bidirectional message stream bound to one server function. Write with
/// <see cref="WriteAsync{T}"/>, read with <see cref="ReadAsync{T}"/> or iterate <see cref="ReadAllAsync{T}"/>, end it
/// with <see cref="CloseAsync"/> (or dispose). After the server's DROP reads throw <see cref="RapChannelClosedException"/>
/// (iteration simply ends); server errors surface as <see cref="RapRemoteException"/> from reads.
/// </summary>
public sealed class RapChannel : IAsyncDisposable
{
    private readonly RapClientConnection _connection;
    private readonly RapConnectionPool _pool;
    private readonly TimeSpan _closeTimeout;
    private readonly Channel<byte[]> _inbound = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly TaskCompletionSource _declared = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state = (int)RapChannelState.Opening;
    private int _released;

    internal RapChannel(RapClientConnection connection, RapConnectionPool pool, string group, string name, string? sessionId, TimeSpan closeTimeout)
    {
        _connection = connection;
        _pool = pool;
        Group = group;
        Name = name;
        _closeTimeout = closeTimeout;
        if (connection.Version == RapVersion.V0538)
        {
            LegacyChannelId = Guid.NewGuid().ToString();
            SessionId = sessionId ?? Guid.NewGuid().ToString();
        }
    }

    /// <summary>HEAD: the correlation id of the DECLARE (every frame of the channel carries it).</summary>
    public long Id { get; internal set; }

    /// <summary>The function's group.</summary>
    public string Group { get; }

    /// <summary>The function's name.</summary>
    public string Name { get; }

    /// <summary>Current state.</summary>
    public RapChannelState State => (RapChannelState)Volatile.Read(ref _state);

    /// <summary>Whether the channel is closed (either side, or faulted). Writes then fail.</summary>
    public bool IsClosed => State is RapChannelState.ClosedByServer or RapChannelState.ClosedByClient or RapChannelState.Faulted;

    /// <summary>Completes when the channel is closed (faults with the error if it failed).</summary>
    public Task Completion => _completion.Task;

    internal string? LegacyChannelId { get; }

    internal string? SessionId { get; }

    /// <summary>
    /// Sends one message. Completes once the message is queued; when the connection's send queue is full it waits for
    /// room, so a fast writer is paced by the network.
    /// </summary>
    public ValueTask WriteAsync<T>(T value, IReadOnlyList<KeyValuePair<string, MessagePackValue>>? headers = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (IsClosed)
        {
            throw new RapChannelClosedException($"The channel {Group}/{Name} is closed ({State}).");
        }

        _connection.SendChannelMessage(this, value, static (ref MessagePackWriter w, T v) => RapSerializer.GetConverter<T>().Write(ref w, v), headers);
        return _connection.WaitForSendSpaceAsync(cancellationToken);
    }

    /// <summary>Receives the next message. Throws <see cref="RapChannelClosedException"/> after the server's DROP.</summary>
    public async ValueTask<T> ReadAsync<T>(CancellationToken cancellationToken = default)
    {
        byte[] body;
        try
        {
            body = await _inbound.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            throw ex.InnerException ?? new RapChannelClosedException("recv channel's drop event, close channel");
        }

        return RapSerializer.Deserialize<T>(body);
    }

    /// <summary>Receives messages until the server's DROP (the loop then ends normally).</summary>
    public async IAsyncEnumerable<T> ReadAllAsync<T>([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await TryReadRawAsync(cancellationToken).ConfigureAwait(false) is { } body)
        {
            yield return RapSerializer.Deserialize<T>(body);
        }
    }

    /// <summary>
    /// Closes the channel: sends DROP and waits (bounded) for the server's DROP, so the server function is stopped.
    /// Safe to call more than once and after the server closed it.
    /// </summary>
    public async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        var previous = (RapChannelState)Interlocked.CompareExchange(ref _state, (int)RapChannelState.ClosedByClient, (int)RapChannelState.Open);
        if (previous != RapChannelState.Open)
        {
            if (previous == RapChannelState.Opening
                && Interlocked.CompareExchange(ref _state, (int)RapChannelState.ClosedByClient, (int)RapChannelState.Opening) == (int)RapChannelState.Opening)
            {
                Finish(null);
            }

            return;
        }

        try
        {
            _connection.SendChannelDrop(this);
            await _completion.Task.WaitAsync(_closeTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or RapConnectionException or OperationCanceledException or RapRemoteException or RapChannelClosedException)
        {
        }
        finally
        {
            Finish(null);
        }
    }

    /// <summary>Same as <see cref="CloseAsync"/>.</summary>
    public ValueTask DisposeAsync() => CloseAsync();

    /// <summary>Sends DROP without waiting (early-abandoned generators).</summary>
    internal void Abandon()
    {
        if (Interlocked.CompareExchange(ref _state, (int)RapChannelState.ClosedByClient, (int)RapChannelState.Open) == (int)RapChannelState.Open)
        {
            try
            {
                _connection.SendChannelDrop(this);
            }
            catch (RapConnectionException)
            {
            }
        }

        Finish(null);
    }

    /// <summary>Forgets the channel locally without telling the server.</summary>
    internal void Forget()
    {
        Interlocked.CompareExchange(ref _state, (int)RapChannelState.ClosedByClient, (int)RapChannelState.Open);
        Finish(null);
    }

    /// <summary>Declares the channel and waits for the server's DECLARE answer.</summary>
    internal async Task OpenAsync(MessagePackValue metadata, CancellationToken cancellationToken)
    {
        try
        {
            _connection.DeclareChannel(this, metadata);
            await _declared.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Exchange(ref _state, (int)RapChannelState.Faulted);
            Finish(null);
            throw;
        }
    }

    internal async ValueTask<byte[]?> TryReadRawAsync(CancellationToken cancellationToken)
    {
        // WaitToReadAsync rethrows a fault (server error, lost connection); a clean DROP just returns false.
        while (await _inbound.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_inbound.Reader.TryRead(out var body))
            {
                return body;
            }
        }

        return null;
    }

    internal void SendRaw<TState>(TState state, RapBodyWriter<TState> body) => _connection.SendChannelMessage(this, state, body, null);

    /// <summary>A frame for this channel (read loop).</summary>
    internal void OnFrame(in RapFrame frame)
    {
        var error = frame.Version == RapVersion.Head
            ? RapAnswerReader.GetHeadError(frame, _connection.ReaderOptions)
            : RapAnswerReader.GetLegacyStatusError(frame, _connection.ReaderOptions);
        if (error is not null)
        {
            OnFailed(error);
            return;
        }

        var lifeCycle = frame.Header.ChannelLifeCycle;
        switch (lifeCycle)
        {
            case RapChannelLifeCycle.HeadDeclare or RapChannelLifeCycle.LegacyDeclare:
                Interlocked.CompareExchange(ref _state, (int)RapChannelState.Open, (int)RapChannelState.Opening);
                _declared.TrySetResult();
                break;
            case RapChannelLifeCycle.Message:
                _inbound.Writer.TryWrite(frame.Body.ToArray());
                break;
            case RapChannelLifeCycle.HeadDrop or RapChannelLifeCycle.LegacyDrop:
                Interlocked.CompareExchange(ref _state, (int)RapChannelState.ClosedByServer, (int)RapChannelState.Open);
                Interlocked.CompareExchange(ref _state, (int)RapChannelState.ClosedByServer, (int)RapChannelState.Opening);
                _declared.TrySetException(new RapChannelClosedException("The server dropped the channel while declaring it."));
                Finish(null);
                break;
            default:
                OnFailed(new RapChannelException(0, "ChannelLifecycleError", $"channel life cycle error: {lifeCycle}"));
                break;
        }
    }

    internal void OnFailed(Exception error)
    {
        var previous = (RapChannelState)Interlocked.Exchange(ref _state, (int)RapChannelState.Faulted);
        if (previous is RapChannelState.ClosedByClient or RapChannelState.ClosedByServer)
        {
            Interlocked.Exchange(ref _state, (int)previous);
        }

        _declared.TrySetException(error);
        Finish(error);
    }

    private void Finish(Exception? error)
    {
        if (error is null)
        {
            _inbound.Writer.TryComplete();
            _completion.TrySetResult();
        }
        else
        {
            _inbound.Writer.TryComplete(error);
            _completion.TrySetException(error);
            _ = _completion.Task.Exception;
        }

        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _connection.RemoveChannel(this);
            _pool.Release(_connection);
        }
    }
}
