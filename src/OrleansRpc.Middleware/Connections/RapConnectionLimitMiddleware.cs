using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using OrleansRpc.Gateway;
using OrleansRpc.Middleware.Diagnostics;

namespace OrleansRpc.Middleware.Connections;

/// <summary>rap's <c>ConnLimitMiddleware</c> as a gateway connection middleware (runs before TLS and before any frame).</summary>
public sealed class RapConnectionLimitMiddleware : IRapConnectionMiddleware
{
    /// <summary>rap's close reason.</summary>
    public const string Reason = "Currently exceeding the maximum number of connections limit";

    private readonly RapConnectionLimiter _limiter;
    private readonly RapConnectionRefusal _refusal;
    private readonly RapMiddlewareInstruments _instruments;
    private readonly ILogger _logger;

    public RapConnectionLimitMiddleware(RapConnectionLimiter limiter, RapConnectionRefusal refusal, RapMiddlewareInstruments instruments, ILogger<RapConnectionLimitMiddleware> logger)
    {
        _limiter = limiter;
        _refusal = refusal;
        _instruments = instruments;
        _logger = logger;
    }

    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(next);
        if (!_limiter.TryEnter())
        {
            _instruments.Refused("connection_limit");
            MiddlewareLog.ConnectionRefused(_logger, connection.ConnectionId, connection.RemoteEndPoint?.ToString(), Reason);
            await _refusal.RefuseAsync(connection, Reason).ConfigureAwait(false);
            return;
        }

        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            _limiter.Exit();
        }
    }
}
