using System.Collections.Concurrent;
using OrleansRpc.Client.Diagnostics;

namespace OrleansRpc.Client.Connections;

/// <summary>
/// The connections to one endpoint: starts with one, grows under load up to
/// <see cref="RapClientOptions.MaxConnectionsPerEndpoint"/>, caps in-flight calls per connection (callers beyond the cap
/// wait in FIFO order for a freed slot), drops connections that close or drain, and reconnects with exponential backoff.
/// </summary>
internal sealed class RapConnectionPool : IAsyncDisposable
{
    private readonly RapClientContext _context;
    private readonly Lock _lock = new();
    private readonly ConcurrentQueue<TaskCompletionSource<bool>> _waiters = new();
    private readonly CancellationTokenSource _disposed = new();
    private RapClientConnection[] _connections = [];
    private Task? _connecting;
    private Exception? _lastError;
    private int _failures;

    public RapConnectionPool(RapClientContext context, RapEndpoint endpoint)
    {
        _context = context;
        Endpoint = endpoint;
    }

    public RapEndpoint Endpoint { get; }

    /// <summary>Current usable connections (a snapshot).</summary>
    public IReadOnlyList<RapClientConnection> Connections => Volatile.Read(ref _connections);

    /// <summary>Whether a connection is up (used to prefer healthy endpoints).</summary>
    public bool HasReadyConnection
    {
        get
        {
            foreach (var connection in Volatile.Read(ref _connections))
            {
                if (connection.IsReady)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>The last connect error (reported when a call gives up waiting for a connection).</summary>
    public Exception? LastError => _lastError;

    /// <summary>Reserves a slot on the least loaded ready connection without waiting.</summary>
    public RapClientConnection? TryAcquire()
    {
        var capacity = _context.Options.MaxInFlightPerConnection;
        var connections = Volatile.Read(ref _connections);
        while (true)
        {
            RapClientConnection? best = null;
            foreach (var connection in connections)
            {
                if (connection.IsReady && connection.InFlight < capacity && (best is null || connection.InFlight < best.InFlight))
                {
                    best = connection;
                }
            }

            MaybeGrow(connections, best);
            if (best is null)
            {
                return null;
            }

            if (best.TryReserve(capacity))
            {
                return best;
            }
        }
    }

    /// <summary>
    /// Reserves a slot, waiting for a connection or a free slot as needed. Failed connects are retried with backoff
    /// until <paramref name="cancellationToken"/> fires, unless <paramref name="failFast"/> (then the first connect
    /// error is thrown). A server that refuses the handshake (<see cref="RapRemoteException"/>) always fails at once.
    /// </summary>
    public ValueTask<RapClientConnection> AcquireAsync(CancellationToken cancellationToken, bool failFast = false)
    {
        var connection = TryAcquire();
        return connection is not null ? new(connection) : AcquireSlowAsync(cancellationToken, failFast);
    }

    /// <summary>Frees a slot and hands the chance to the next waiter.</summary>
    public void Release(RapClientConnection connection)
    {
        connection.ReleaseSlot();
        WakeOne();
    }

    /// <summary>Closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync().ConfigureAwait(false);
        RapClientConnection[] connections;
        lock (_lock)
        {
            connections = _connections;
            _connections = [];
        }

        foreach (var connection in connections)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        while (_waiters.TryDequeue(out var waiter))
        {
            waiter.TrySetException(new ObjectDisposedException(nameof(RapClient)));
        }

        if (_connecting is { } connecting)
        {
            try
            {
                await connecting.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or RapConnectionException)
            {
            }
        }
    }

    private async ValueTask<RapClientConnection> AcquireSlowAsync(CancellationToken cancellationToken, bool failFast)
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
            var connection = TryAcquire();
            if (connection is not null)
            {
                return connection;
            }

            if (!HasReadyConnection)
            {
                // Nothing usable: wait for the (shared) connect attempt, which retries with backoff.
                var connecting = EnsureConnecting();
                try
                {
                    await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception ex) when (!failFast && ex is RapConnectionException or OperationCanceledException)
                {
                    // The attempt failed; the loop tries again (EnsureConnecting applies the backoff).
                }

                continue;
            }

            // All connections are full: queue for a freed slot, re-checking once to avoid a lost wake-up.
            var waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
            connection = TryAcquire();
            if (connection is not null)
            {
                if (!waiter.TrySetResult(false))
                {
                    WakeOne();
                }

                return connection;
            }

            using (cancellationToken.UnsafeRegister(static state => ((TaskCompletionSource<bool>)state!).TrySetCanceled(), waiter))
            {
                try
                {
                    await waiter.Task.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    throw;
                }
            }
        }
    }

    private void WakeOne()
    {
        while (_waiters.TryDequeue(out var waiter))
        {
            if (waiter.TrySetResult(true))
            {
                return;
            }
        }
    }

    private void WakeAll()
    {
        while (_waiters.TryDequeue(out var waiter))
        {
            waiter.TrySetResult(true);
        }
    }

    private void MaybeGrow(RapClientConnection[] connections, RapClientConnection? best)
    {
        var options = _context.Options;
        if (connections.Length >= options.MaxConnectionsPerEndpoint || _connecting is not null || _disposed.IsCancellationRequested)
        {
            return;
        }

        var threshold = Math.Max(1, (int)(options.MaxInFlightPerConnection * options.GrowThreshold));
        if (best is null || best.InFlight >= threshold)
        {
            Observe(EnsureConnecting());
        }
    }

    /// <summary>The running connect attempt, or a new one (after the backoff delay when the last one failed).</summary>
    private Task EnsureConnecting()
    {
        lock (_lock)
        {
            if (_connecting is { IsCompleted: false } running)
            {
                return running;
            }

            if (_connections.Length >= _context.Options.MaxConnectionsPerEndpoint && _connections.Any(c => c.IsReady))
            {
                return Task.CompletedTask;
            }

            var task = ConnectOnceAsync(_failures);
            _connecting = task;
            return task;
        }
    }

    private async Task ConnectOnceAsync(int failures)
    {
        await Task.Yield();
        try
        {
            if (failures > 0)
            {
                await Task.Delay(Backoff(failures), _context.Time, _disposed.Token).ConfigureAwait(false);
            }

            var connection = await RapClientConnection.ConnectAsync(_context, Endpoint, _disposed.Token).ConfigureAwait(false);
            connection.StateChanged += OnConnectionStateChanged;
            lock (_lock)
            {
                _connections = [.. _connections, connection];
                _failures = 0;
                _lastError = null;
                _connecting = null;
            }

            if (!connection.IsReady)
            {
                OnConnectionStateChanged(connection);
            }
        }
        catch (Exception ex)
        {
            int attempt;
            lock (_lock)
            {
                attempt = ++_failures;
                _lastError = ex;
                _connecting = null;
            }

            if (!_disposed.IsCancellationRequested)
            {
                RapClientLog.ConnectFailed(_context.Logger, Endpoint.ToString(), attempt, Backoff(attempt), ex);
            }

            WakeAll();
            if (ex is RapConnectionException or RapRemoteException or OperationCanceledException)
            {
                throw;
            }

            throw new RapConnectionException($"Could not connect to {Endpoint}: {ex.Message}", ex);
        }

        WakeAll();
    }

    private static void Observe(Task task)
    {
        if (!task.IsCompleted)
        {
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        else
        {
            _ = task.Exception;
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var options = _context.Options;
        var factor = Math.Pow(2, Math.Min(failures - 1, 16));
        var delay = options.ReconnectDelayMin.TotalMilliseconds * factor;
        var capped = Math.Min(delay, options.ReconnectDelayMax.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.8 + (Random.Shared.NextDouble() * 0.4)));
    }

    private void OnConnectionStateChanged(RapClientConnection connection)
    {
        if (connection.IsReady)
        {
            return;
        }

        bool empty;
        lock (_lock)
        {
            _connections = [.. _connections.Where(c => c != connection)];
            empty = _connections.Length == 0;
        }

        // Waiters retry: they pick another connection or wait for the reconnect, which starts right away.
        if (empty && !_disposed.IsCancellationRequested)
        {
            Observe(EnsureConnecting());
        }

        WakeAll();
    }
}
