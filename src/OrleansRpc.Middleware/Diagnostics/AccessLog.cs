using Microsoft.Extensions.Logging;

namespace OrleansRpc.Middleware.Diagnostics;

/// <summary>The access log: one line per call, category <c>OrleansRpc.Middleware.AccessLog</c>.</summary>
internal static partial class AccessLog
{
    /// <summary>The logger category.</summary>
    public const string Category = "OrleansRpc.Middleware.AccessLog";

    [LoggerMessage(100, LogLevel.Information, "{Peer} {Generation} {Target} {StatusCode} {DurationMs:0.###} ms", EventName = "Call")]
    public static partial void Call(ILogger logger, string peer, string generation, string target, int statusCode, double durationMs);

    [LoggerMessage(101, LogLevel.Information, "{Peer} {Generation} {Kind} {Target} ended after {DurationMs:0.###} ms", EventName = "Stream")]
    public static partial void Stream(ILogger logger, string peer, string generation, string kind, string target, double durationMs);
}
