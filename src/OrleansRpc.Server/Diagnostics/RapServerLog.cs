using Microsoft.Extensions.Logging;

namespace OrleansRpc.Server;

/// <summary>The server's log events (1–99).</summary>
internal static partial class RapServerLog
{
    [LoggerMessage(1, LogLevel.Warning, "Channel handler {Group}/{Name} failed")]
    public static partial void ChannelHandlerFailed(ILogger logger, string group, string name, Exception exception);

    [LoggerMessage(2, LogLevel.Error, "The result of {Group}/{Name} cannot be sent to a rap client")]
    public static partial void ResultNotEncodable(ILogger logger, string group, string name, Exception exception);

    [LoggerMessage(3, LogLevel.Error, "The grain call for {Group}/{Name} failed")]
    public static partial void GrainCallFailed(ILogger logger, string group, string name, Exception exception);

    [LoggerMessage(4, LogLevel.Debug, "Session grain {Key} deactivated ({Reason}); state dropped: {Dropped}")]
    public static partial void SessionDeactivated(ILogger logger, string key, string reason, bool dropped);
}
