using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using OrleansRpc.Gateway;
using OrleansRpc.Middleware.Diagnostics;
using OrleansRpc.Middleware.IpFiltering;

namespace OrleansRpc.Middleware.Connections;

/// <summary>rap's <c>IpMaxConnMiddleware</c> as a gateway connection middleware (runs before TLS and before any frame).</summary>
public sealed class RapIpConnectionLimitMiddleware : IRapConnectionMiddleware
{
    private readonly RapIpConnectionLimiter _limiter;
    private readonly RapConnectionRefusal _refusal;
    private readonly RapMiddlewareInstruments _instruments;
    private readonly ILogger _logger;

    public RapIpConnectionLimitMiddleware(RapIpConnectionLimiter limiter, RapConnectionRefusal refusal, RapMiddlewareInstruments instruments, ILogger<RapIpConnectionLimitMiddleware> logger)
    {
        _limiter = limiter;
        _refusal = refusal;
        _instruments = instruments;
        _logger = logger;
    }

    /// <summary>rap's close reason.</summary>
    public static string Reason(System.Net.EndPoint? peer) =>
        "Currently exceeding the maximum number of ip conn limit, close " + PeerAddress.PythonTuple(peer);

    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(next);
        IPAddress? address = PeerAddress.From(connection.RemoteEndPoint);
        if (address is null)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        if (!_limiter.TryEnter(address))
        {
            string reason = Reason(connection.RemoteEndPoint);
            _instruments.Refused("ip_connection_limit");
            MiddlewareLog.ConnectionRefused(_logger, connection.ConnectionId, connection.RemoteEndPoint?.ToString(), reason);
            await _refusal.RefuseAsync(connection, reason).ConfigureAwait(false);
            return;
        }

        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            _limiter.Exit(address);
        }
    }
}
