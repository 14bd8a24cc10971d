using Microsoft.Extensions.Logging;

namespace OrleansRpc.Server;

/// <summary>The server's log events (1–99).</summary>
internal static partial class RapServerLog
{
    /// <summary>
    /// A channel handler threw. Its exception is the client's answer (the channel ends with it), as a unary function's
    /// is, which is not logged either: a Warning with a stack trace per failure let a client fill the log (1 000
    /// failing channels: 549 KB). Debug keeps the type, the message and the stack trace for whoever looks.
    /// </summary>
    public static void ChannelHandlerFailed(ILogger logger, string group, string name, Exception exception) =>
        ChannelHandlerFailedCore(logger, group, name, exception.GetType().Name, exception.Message, exception);

    [LoggerMessage(1, LogLevel.Debug, "Channel handler {Group}/{Name} failed: {ExceptionType}: {ExceptionMessage}", EventName = "ChannelHandlerFailed")]
    private static partial void ChannelHandlerFailedCore(ILogger logger, string group, string name, string exceptionType, string exceptionMessage, Exception exception);

    [LoggerMessage(2, LogLevel.Error, "The result of {Group}/{Name} cannot be sent to a rap client")]
    public static partial void ResultNotEncodable(ILogger logger, string group, string name, Exception exception);

    [LoggerMessage(3, LogLevel.Error, "The grain call for {Group}/{Name} failed")]
    public static partial void GrainCallFailed(ILogger logger, string group, string name, Exception exception);

    [LoggerMessage(4, LogLevel.Debug, "Session grain {Key} deactivated ({Reason}); state dropped: {Dropped}")]
    public static partial void SessionDeactivated(ILogger logger, string key, string reason, bool dropped);
}
