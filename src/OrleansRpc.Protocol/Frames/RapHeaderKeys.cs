namespace OrleansRpc.Protocol.Frames;

/// <summary>The header keys the protocol itself uses, spelled exactly as on the wire (§2.3, §3.5).</summary>
public static class RapHeaderKeys
{
    public const string Target = "target";
    public const string StatusCode = "status_code";
    public const string ChannelLifeCycle = "channel_life_cycle";
    public const string Deadline = "X-rap-deadline";
    public const string Version = "version";
    public const string UserAgent = "user_agent";
    public const string RequestId = "request_id";
    public const string Host = "host";
    public const string SessionId = "session_id";
    public const string ChannelId = "channel_id";
    public const string CryptoId = "crypto_id";

    /// <summary>Whether <paramref name="key"/> is one of the keys above (the rest are user headers).</summary>
    public static bool IsWellKnown(string key) => key is Target or StatusCode or ChannelLifeCycle or Deadline or Version
        or UserAgent or RequestId or Host or SessionId or ChannelId or CryptoId;

    /// <summary>Returns the interned constant for a well-known key so headers do not allocate key strings.</summary>
    internal static string? TryIntern(ReadOnlySpan<byte> utf8) => utf8.Length switch
    {
        4 when utf8.SequenceEqual("host"u8) => Host,
        6 when utf8.SequenceEqual("target"u8) => Target,
        7 when utf8.SequenceEqual("version"u8) => Version,
        9 when utf8.SequenceEqual("crypto_id"u8) => CryptoId,
        10 when utf8.SequenceEqual("user_agent"u8) => UserAgent,
        10 when utf8.SequenceEqual("request_id"u8) => RequestId,
        10 when utf8.SequenceEqual("session_id"u8) => SessionId,
        10 when utf8.SequenceEqual("channel_id"u8) => ChannelId,
        11 when utf8.SequenceEqual("status_code"u8) => StatusCode,
        14 when utf8.SequenceEqual("X-rap-deadline"u8) => Deadline,
        18 when utf8.SequenceEqual("channel_life_cycle"u8) => ChannelLifeCycle,
        _ => null,
    };
}
