using System.Collections.Concurrent;

namespace OrleansRpc.Gateway.Connections;

/// <summary>
/// The open connections of the gateway: enforces <see cref="RapGatewayOptions.MaxConnections"/>, refuses
/// new connections once draining started, and drains them all on shutdown.
/// </summary>
internal sealed class RapConnectionTracker
{
    private readonly ConcurrentDictionary<RapConnection, byte> _connections = new();
    private int _count;
    private int _draining;

    /// <summary>The budget of Information lines about clients' protocol errors, shared by all connections.</summary>
    public ProtocolErrorLogLimiter ProtocolErrorLog { get; } = new(TimeProvider.System);

    /// <summary>Open connections.</summary>
    public int Count => Volatile.Read(ref _count);

    public bool IsDraining => Volatile.Read(ref _draining) != 0;

    /// <summary>A snapshot of the open connections.</summary>
    public IReadOnlyCollection<RapConnection> Connections => [.. _connections.Keys];

    /// <summary>Registers a new connection; false when the gateway is draining or full.</summary>
    public bool TryAdd(RapConnection connection, int maxConnections)
    {
        if (IsDraining)
        {
            return false;
        }

        int count = Interlocked.Increment(ref _count);
        if (maxConnections > 0 && count > maxConnections)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }

        _connections[connection] = 0;
        return true;
    }

    public void Remove(RapConnection connection)
    {
        if (_connections.TryRemove(connection, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    /// <summary>
    /// Stops admitting connections, starts draining every open one and waits until all have closed or
    /// <paramref name="cancellationToken"/> fires (then the rest are closed at once).
    /// </summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _draining, 1);
        RapConnection[] open = [.. _connections.Keys];
        foreach (RapConnection connection in open)
        {
            connection.BeginDrain();
        }

        try
        {
            await Task.WhenAll(open.Select(c => c.Completion)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            foreach (RapConnection connection in _connections.Keys)
            {
                connection.Close("server stopped");
            }
        }
    }
}
