using Microsoft.Extensions.Logging;

namespace OrleansRpc.Middleware.Diagnostics;

/// <summary>Log events of the connection middleware and processors (ids 1–49; the access log is <see cref="AccessLog"/>).</summary>
internal static partial class MiddlewareLog
{
    [LoggerMessage(1, LogLevel.Warning, "Connection {ConnectionId} from {Peer} refused: {Reason}", EventName = "ConnectionRefused")]
    public static partial void ConnectionRefused(ILogger logger, string connectionId, string? peer, string reason);

    [LoggerMessage(2, LogLevel.Warning, "Call {Group}/{Function} from {Peer} refused by rate-limit rule {Rule}", EventName = "RateLimited")]
    public static partial void RateLimited(ILogger logger, string group, string function, string peer, string rule);

    [LoggerMessage(3, LogLevel.Information, "Admin change: {Change}", EventName = "AdminChange")]
    public static partial void AdminChange(ILogger logger, string change);
}
