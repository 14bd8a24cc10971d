using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using OrleansRpc.Gateway;
using OrleansRpc.Middleware.Connections;
using OrleansRpc.Middleware.Diagnostics;

namespace OrleansRpc.Middleware.IpFiltering;

/// <summary>rap's <c>IpFilterMiddleware</c> as a gateway connection middleware (runs before TLS and before any frame).</summary>
public sealed class RapIpFilterMiddleware : IRapConnectionMiddleware
{
    /// <summary>rap's close reason.</summary>
    public const string Reason = "not allowed to access";

    private readonly RapIpFilter _filter;
    private readonly RapConnectionRefusal _refusal;
    private readonly RapMiddlewareInstruments _instruments;
    private readonly ILogger _logger;

    public RapIpFilterMiddleware(RapIpFilter filter, RapConnectionRefusal refusal, RapMiddlewareInstruments instruments, ILogger<RapIpFilterMiddleware> logger)
    {
        _filter = filter;
        _refusal = refusal;
        _instruments = instruments;
        _logger = logger;
    }

    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(next);
        IPAddress? address = PeerAddress.From(connection.RemoteEndPoint);

        // A peer without an IP address (a test transport, a Unix socket) has nothing to match; it passes.
        if (address is not null && !_filter.IsAllowed(address))
        {
            _instruments.Refused("ip_filter");
            MiddlewareLog.ConnectionRefused(_logger, connection.ConnectionId, connection.RemoteEndPoint?.ToString(), Reason);
            await _refusal.RefuseAsync(connection, Reason).ConfigureAwait(false);
            return;
        }

        await next(connection).ConfigureAwait(false);
    }
}
