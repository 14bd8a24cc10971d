using Microsoft.Extensions.Logging;

namespace OrleansRpc.Gateway;

/// <summary>The gateway's log events.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(1, LogLevel.Debug, "Connection {ConnectionId} accepted from {RemoteEndPoint}.", EventName = "ConnectionAccepted")]
    public static partial void ConnectionAccepted(ILogger logger, string connectionId, string? remoteEndPoint);

    [LoggerMessage(2, LogLevel.Warning, "Connection {ConnectionId} from {RemoteEndPoint} refused: {Reason}.", EventName = "ConnectionRefused")]
    public static partial void ConnectionRefused(ILogger logger, string connectionId, string? remoteEndPoint, string reason);

    [LoggerMessage(3, LogLevel.Debug, "Connection {ConnectionId} closed.", EventName = "ConnectionClosed")]
    public static partial void ConnectionClosed(ILogger logger, string connectionId);

    [LoggerMessage(4, LogLevel.Information, "Closing connection {ConnectionId}: {Reason}.", EventName = "ConnectionClosing")]
    public static partial void ConnectionClosing(ILogger logger, string connectionId, string reason);

    // Structural protocol errors (5, 6, 17) are the client's fault, not the server's: Information, rate limited by
    // ProtocolErrorLogLimiter (the rest at Debug), each saying what was wrong and where.
    [LoggerMessage(EventId = 5, Message = "Connection {ConnectionId} sent malformed input at byte {Offset} and is closed: {Detail} ({Demoted} similar lines before went to Debug)", EventName = "MalformedInput")]
    public static partial void MalformedInput(ILogger logger, LogLevel level, string connectionId, long offset, string detail, long demoted);

    [LoggerMessage(EventId = 6, Message = "Connection {ConnectionId} sent a frame over a limit at byte {Offset} and is closed: {Limit} is {LimitValue}, the frame declared {ActualValue} ({Demoted} similar lines before went to Debug)", EventName = "FrameLimitExceeded")]
    public static partial void FrameLimitExceeded(ILogger logger, LogLevel level, string connectionId, long offset, string limit, long limitValue, long actualValue, long demoted);

    [LoggerMessage(7, LogLevel.Debug, "Connection {ConnectionId} ended in the middle of a frame ({Bytes} bytes left).", EventName = "TruncatedFrame")]
    public static partial void TruncatedFrame(ILogger logger, string connectionId, long bytes);

    [LoggerMessage(8, LogLevel.Debug, "Connection {ConnectionId} closed by the client.", EventName = "ClientDisconnected")]
    public static partial void ClientDisconnected(ILogger logger, string connectionId);

    [LoggerMessage(9, LogLevel.Debug, "Connection {ConnectionId} reset by the client: {Detail}", EventName = "ClientReset")]
    public static partial void ClientReset(ILogger logger, string connectionId, string detail);

    [LoggerMessage(10, LogLevel.Error, "Connection {ConnectionId} failed.", EventName = "ConnectionFailed")]
    public static partial void ConnectionFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(11, LogLevel.Error, "The frame handler of connection {ConnectionId} failed.", EventName = "HandlerFailed")]
    public static partial void HandlerFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(12, LogLevel.Debug, "Connection {ConnectionId} paused reading at {InFlight} in-flight calls.", EventName = "ReadPaused")]
    public static partial void ReadPaused(ILogger logger, string connectionId, int inFlight);

    [LoggerMessage(13, LogLevel.Debug, "Draining connection {ConnectionId} ({InFlight} in-flight calls).", EventName = "ConnectionDraining")]
    public static partial void ConnectionDraining(ILogger logger, string connectionId, int inFlight);

    [LoggerMessage(14, LogLevel.Information, "rap gateway listening on {EndPoint} ({Transport}).", EventName = "Listening")]
    public static partial void Listening(ILogger logger, string endPoint, string transport);

    [LoggerMessage(15, LogLevel.Information, "rap gateway draining {Count} connections (timeout {Timeout}).", EventName = "Draining")]
    public static partial void Draining(ILogger logger, int count, TimeSpan timeout);

    [LoggerMessage(16, LogLevel.Information, "rap gateway stopped.", EventName = "Stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 17, Message = "Connection {ConnectionId} sent a frame at byte {Offset} that was rejected: {Kind}: {Detail} ({Demoted} similar lines before went to Debug)", EventName = "ProtocolViolation")]
    public static partial void ProtocolViolation(ILogger logger, LogLevel level, string connectionId, long offset, string kind, string detail, long demoted);

    // Reason includes the state machine's CloseDetail (kind, byte offset, limit) for a structural protocol error. Debug:
    // a connection logs one as it ends, and Information already has the ConnectionClosing line.
    [LoggerMessage(18, LogLevel.Debug, "Connection {ConnectionId}: the protocol ended the connection ({Reason}).", EventName = "ProtocolClosed")]
    public static partial void ProtocolClosed(ILogger logger, string connectionId, string reason);

    [LoggerMessage(19, LogLevel.Error, "Connection {ConnectionId}: answering {Kind} {Token} failed.", EventName = "AnswerFailed")]
    public static partial void AnswerFailed(ILogger logger, string connectionId, string kind, long token, Exception exception);

    [LoggerMessage(20, LogLevel.Error, "Connection {ConnectionId}: ending channel {Token} failed.", EventName = "ChannelEndFailed")]
    public static partial void ChannelEndFailed(ILogger logger, string connectionId, long token, Exception exception);

    [LoggerMessage(21, LogLevel.Debug, "Connection {ConnectionId} paused reading: {Unsent} bytes of answers unsent (limit {Limit}); the peer is not reading.", EventName = "ReadPausedForOutput")]
    public static partial void ReadPausedForOutput(ILogger logger, string connectionId, long unsent, long limit);

    [LoggerMessage(22, LogLevel.Warning, "Connection {ConnectionId} is cut: its peer did not read its answers ({Unsent} bytes unsent, limit {Limit}) for {Timeout}.", EventName = "OutputDrainTimeout")]
    public static partial void OutputDrainTimeout(ILogger logger, string connectionId, long unsent, long limit, TimeSpan timeout);
}
