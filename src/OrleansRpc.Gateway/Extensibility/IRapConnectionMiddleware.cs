using Microsoft.AspNetCore.Connections;

namespace OrleansRpc.Gateway;

/// <summary>
/// Runs on every connection the rap listener accepts, before the gateway reads any frame: connection limits, IP
/// filters, byte counters. Registered middlewares run in registration order; one that does not call
/// <c>next</c> refuses the connection (Kestrel closes it when the returned task completes).
/// </summary>
public interface IRapConnectionMiddleware
{
    /// <summary>
    /// Whether this middleware runs before the TLS handshake (on the raw socket, default: refusals cost no handshake)
    /// or after it (on the plain rap byte stream).
    /// </summary>
    bool RunsBeforeTls => true;

    /// <summary>Handles one accepted connection; call <paramref name="next"/> to let the gateway serve it.</summary>
    Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next);
}
