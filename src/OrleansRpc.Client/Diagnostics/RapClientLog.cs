using Microsoft.Extensions.Logging;

namespace OrleansRpc.Client.Diagnostics;

/// <summary>Log messages of the rap client.</summary>
internal static partial class RapClientLog
{
    [LoggerMessage(1, LogLevel.Debug, "Connected to {Endpoint} (conn_id {ConnectionId}).")]
    public static partial void Connected(ILogger logger, string endpoint, string connectionId);

    [LoggerMessage(2, LogLevel.Debug, "Connection to {Endpoint} closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, string endpoint, string reason);

    [LoggerMessage(3, LogLevel.Debug, "Dropped an answer from {Endpoint} for unknown id {Id} (cancelled, timed out or late).")]
    public static partial void AnswerDropped(ILogger logger, string endpoint, long id);

    [LoggerMessage(4, LogLevel.Debug, "Ignored a frame from {Endpoint}: {What}")]
    public static partial void FrameIgnored(ILogger logger, string endpoint, string what);

    [LoggerMessage(5, LogLevel.Warning, "No ping answer from {Endpoint}; retiring the connection.")]
    public static partial void PingTimeout(ILogger logger, string endpoint);

    [LoggerMessage(6, LogLevel.Information, "The server {Endpoint} closed the connection: {Reason}")]
    public static partial void ServerClosed(ILogger logger, string endpoint, string reason);

    [LoggerMessage(7, LogLevel.Information, "The server {Endpoint} is shutting down; draining (close_timeout {Seconds} s).")]
    public static partial void ServerShutdown(ILogger logger, string endpoint, double seconds);

    [LoggerMessage(8, LogLevel.Warning, "Connecting to {Endpoint} failed (attempt {Attempt}); retrying in {Delay}.")]
    public static partial void ConnectFailed(ILogger logger, string endpoint, int attempt, TimeSpan delay, Exception exception);
}
