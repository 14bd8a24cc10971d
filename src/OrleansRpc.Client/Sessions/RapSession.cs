using OrleansRpc.Client.Connections;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Client;

/// <summary>
/// Calls pinned to one connection (rap's <c>session</c>). The connection is chosen at the first call and kept; if it
/// closes, later calls in the session fail with <see cref="RapConnectionException"/>. In v0.5.3.8 mode every frame also
/// carries the session's <c>session_id</c> header (§3.10); HEAD has nothing on the wire (§2.11).
/// Create one explicitly with <see cref="RapClient.CreateSession"/>, or make it ambient for the current async flow with
/// <see cref="RapClient.BeginSession"/> (calls made through the client or its proxies then use it).
/// </summary>
public sealed class RapSession : IAsyncDisposable, IDisposable
{
    private readonly RapClient _client;
    private readonly SemaphoreSlim _bind = new(1, 1);
    private readonly RapSession? _previousAmbient;
    private readonly bool _ambient;
    private RapConnectionPool? _pool;
    private RapClientConnection? _connection;
    private int _disposed;

    internal RapSession(RapClient client, bool ambient, RapSession? previousAmbient)
    {
        _client = client;
        _ambient = ambient;
        _previousAmbient = previousAmbient;
    }

    /// <summary>The <c>session_id</c> (sent in v0.5.3.8 mode).</summary>
    public string SessionId { get; } = Guid.NewGuid().ToString();

    /// <summary>The pinned connection's local endpoint, once bound (diagnostics/tests).</summary>
    public System.Net.IPEndPoint? LocalEndPoint => _connection?.LocalEndPoint;

    /// <summary>Whether the session has a connection and it is still open.</summary>
    public bool IsConnected => _connection is { IsClosed: false };

    /// <summary>Calls a function on the session's connection.</summary>
    public ValueTask<T> InvokeAsync<T>(string group, string name, RapArgs? args = null, RapCallOptions? options = null, CancellationToken cancellationToken = default) =>
        _client.InvokeCoreAsync<T>(this, group, name, args ?? RapArgs.Empty, options, cancellationToken);

    /// <summary>Calls a function of the default group on the session's connection.</summary>
    public ValueTask<T> InvokeAsync<T>(string name, object? args = null, CancellationToken cancellationToken = default) =>
        _client.InvokeCoreAsync<T>(this, RapClient.DefaultGroup, name, RapArgs.FromObject(args), null, cancellationToken);

    /// <summary>Iterates a generator on the session's connection.</summary>
    public IAsyncEnumerable<T> StreamAsync<T>(string group, string name, RapArgs? args = null, RapCallOptions? options = null, CancellationToken cancellationToken = default) =>
        _client.StreamCoreAsync<T>(this, group, name, args ?? RapArgs.Empty, options, cancellationToken);

    /// <summary>Opens a channel on the session's connection.</summary>
    public Task<RapChannel> OpenChannelAsync(string group, string name, MessagePackValue? metadata = null, CancellationToken cancellationToken = default) =>
        _client.OpenChannelCoreAsync(this, group, name, metadata, cancellationToken);

    /// <summary>Ends the session (and restores the previous ambient session when this one was ambient).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _ambient)
        {
            RapClient.AmbientSession.Value = _previousAmbient;
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Reserves a slot on the pinned connection, binding one at the first call.</summary>
    internal async ValueTask<(RapConnectionPool Pool, RapClientConnection Connection)> AcquireAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_connection is { } bound && _pool is { } pool)
        {
            return Reserve(pool, bound);
        }

        await _bind.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is { } raced && _pool is { } racedPool)
            {
                return Reserve(racedPool, raced);
            }

            // The pool's reservation becomes this first call's slot.
            var (newPool, connection) = await _client.AcquireAnyAsync(cancellationToken).ConfigureAwait(false);
            _pool = newPool;
            _connection = connection;
            return (newPool, connection);
        }
        finally
        {
            _bind.Release();
        }
    }

    private static (RapConnectionPool, RapClientConnection) Reserve(RapConnectionPool pool, RapClientConnection connection)
    {
        if (!connection.ForceReserve())
        {
            throw new RapConnectionException("The session's connection is closed.", connection.CloseReason);
        }

        return (pool, connection);
    }
}
