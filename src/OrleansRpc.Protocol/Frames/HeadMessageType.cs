namespace OrleansRpc.Protocol.Frames;

/// <summary>HEAD <c>msg_type</c> values (§2.2). Responses reuse the request's value.</summary>
public static class HeadMessageType
{
    /// <summary><c>MT_MSG</c>: a normal call and its answer.</summary>
    public const int Message = 101;

    /// <summary><c>MT_CHANNEL</c>: every channel (and async generator) frame.</summary>
    public const int Channel = 102;

    /// <summary><c>MT_CLIENT_EVENT</c>: DECLARE, ping; answered with 103.</summary>
    public const int ClientEvent = 103;

    /// <summary><c>MT_SERVER_EVENT</c>: ping, CLOSE, shutdown sent by the server.</summary>
    public const int ServerEvent = 203;

    /// <summary>Whether <paramref name="value"/> is one of the four HEAD types.</summary>
    public static bool IsDefined(long value) => value is Message or Channel or ClientEvent or ServerEvent;
}
