using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansRpc.Gateway.Connections;

/// <summary>
/// The Kestrel entry point: every accepted TCP (or TLS) connection of the rap listener runs here
/// until it ends. Kestrel closes the socket when <see cref="OnConnectedAsync"/> returns.
/// </summary>
internal sealed class RapConnectionHandler : ConnectionHandler
{
    private readonly RapGatewayOptions _options;
    private readonly RapConnectionTracker _tracker;
    private readonly IRapFrameHandlerFactory _handlerFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public RapConnectionHandler(
        IOptions<RapGatewayOptions> options,
        RapConnectionTracker tracker,
        IRapFrameHandlerFactory handlerFactory,
        TimeProvider timeProvider,
        ILogger<RapConnectionHandler> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _tracker = tracker;
        _handlerFactory = handlerFactory;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var rapConnection = new RapConnection(connection, _options, _tracker, _timeProvider, _logger);
        if (!_tracker.TryAdd(rapConnection, _options.MaxConnections))
        {
            GatewayLog.ConnectionRefused(_logger, connection.ConnectionId, connection.RemoteEndPoint?.ToString(), _tracker.IsDraining ? "draining" : "connection limit");
            return;
        }

        GatewayLog.ConnectionAccepted(_logger, connection.ConnectionId, connection.RemoteEndPoint?.ToString());
        try
        {
            await rapConnection.RunAsync(_handlerFactory).ConfigureAwait(false);
        }
        finally
        {
            _tracker.Remove(rapConnection);
            GatewayLog.ConnectionClosed(_logger, connection.ConnectionId);
        }
    }
}
