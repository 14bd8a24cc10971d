namespace OrleansRpc.Protocol.Frames;

/// <summary>v0.5.3.8 <c>num</c> values (§3.2).</summary>
public static class LegacyMessageType
{
    /// <summary><c>SERVER_ERROR_RESPONSE</c>: answer to an unknown request number.</summary>
    public const int ServerErrorResponse = 100;

    /// <summary><c>MSG_REQUEST</c>: a call (also every generator step).</summary>
    public const int MessageRequest = 101;

    /// <summary><c>CHANNEL_REQUEST</c>: a client channel frame.</summary>
    public const int ChannelRequest = 102;

    /// <summary><c>CLIENT_EVENT</c>: <c>pong</c>.</summary>
    public const int ClientEvent = 103;

    /// <summary><c>MSG_RESPONSE</c>: answer to 101.</summary>
    public const int MessageResponse = 201;

    /// <summary><c>CHANNEL_RESPONSE</c>: a server channel frame.</summary>
    public const int ChannelResponse = 202;

    /// <summary><c>SERVER_EVENT</c>: <c>ping</c>, <c>event_close_conn</c>.</summary>
    public const int ServerEvent = 203;

    /// <summary>Whether a client may send <paramref name="value"/>.</summary>
    public static bool IsClientRequest(long value) => value is MessageRequest or ChannelRequest or ClientEvent;
}
