namespace OrleansRpc.Protocol.Frames;

/// <summary>Event names and targets of both generations (§2.7, §3.7).</summary>
public static class RapEventNames
{
    public const string EventGroup = "_event";
    public const string HeadDeclareTarget = "/_event/DECLARE";
    public const string HeadPingTarget = "/_event/ping";
    public const string HeadCloseTarget = "/_event/CLOSE";
    public const string HeadShutdownTarget = "/_event/shutdown";
    public const string HeadDropTarget = "/_event/DROP";

    public const string Declare = "DECLARE";
    public const string Ping = "ping";
    public const string Close = "CLOSE";
    public const string Shutdown = "shutdown";
    public const string Drop = "DROP";

    /// <summary>v0.5.3.8: the client's answer to a server ping (func_name of a 103 frame).</summary>
    public const string LegacyPong = "pong";

    /// <summary>v0.5.3.8: the close event's func_name.</summary>
    public const string LegacyCloseConnection = "event_close_conn";

    /// <summary>v0.5.3.8: group of server events.</summary>
    public const string LegacyServerEventGroup = "default";
}
