using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Crypto;

namespace OrleansRpc.Protocol.Connections;

/// <summary>
/// Settings of one rap connection's state machine. Defaults are the values of rap's own server (RAP_PROTOCOL.md
/// §2.7, §3.7, §5, §2.13); the conformance service uses a 1 s ping interval, 3.3 s pong timeout and ≤ 1 s silence.
/// </summary>
public sealed class RapConnectionOptions
{
    /// <summary>Interval of server pings (both generations). rap: <c>ping_sleep_time</c> = 60 s.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether to ping HEAD clients too (they ping on their own and do not need it, §2.7 d).</summary>
    public bool PingHeadClients { get; set; } = true;

    /// <summary>
    /// Close (with "recv pong timeout") when no pong, or any other frame, arrived for this long after pings
    /// started. rap 0.5.3.8: 60 s × 2 + 10 s.
    /// </summary>
    public TimeSpan PongTimeout { get; set; } = TimeSpan.FromSeconds(130);

    /// <summary>Close (with "keep alive timeout") when no frame at all arrived for this long. rap: <c>keep_alive</c> = 1200 s.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(1200);

    /// <summary>
    /// A connection whose client stays silent this long is assumed to be v0.5.3.8 and pinged (§5 step 3). Must stay
    /// above a HEAD client's 9 s DECLARE timeout unless a stray 6-array is acceptable (it is: HEAD clients ignore it).
    /// </summary>
    public TimeSpan LegacySilenceThreshold { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Most calls one connection may have in flight; more are refused with TooManyRequest (HEAD 429, v0.5.3.8 511).</summary>
    public int MaxInFlightCalls { get; set; } = 4096;

    /// <summary>Most channels (HEAD: channels and generators) one connection may have open; more are refused with ChannelError.</summary>
    public int MaxChannels { get; set; } = 1024;

    /// <summary>Largest accepted incoming frame; larger ones close the connection (§1.5). The Python peer's own limit is 100 MiB.</summary>
    public long MaxFrameBytes { get; set; } = 100 * 1024 * 1024;

    /// <summary>
    /// Most elements (array items plus map keys and values, all levels together) in one incoming frame; a frame with
    /// more is malformed input and closes the connection. Bounds what one frame may expand to when decoded (~30 bytes
    /// per element, however small its encoding). Default <see cref="MessagePackReaderOptions.DefaultMaxFrameElements"/> (1 Mi).
    /// </summary>
    public long MaxFrameElements { get; set; } = MessagePackReaderOptions.DefaultMaxFrameElements;

    /// <summary>Check every incoming body for map keys that are not str/bin (a Python peer cannot produce or read them).</summary>
    public bool ValidateBodies { get; set; } = true;

    /// <summary>
    /// <c>user_agent</c> in the HEAD DECLARE answer's <c>server_info</c>; the client stores but never interprets it.
    /// The default is what a rap HEAD server installed from source reports.
    /// </summary>
    public string ServerUserAgent { get; set; } = "Python3-0.0.0";

    /// <summary>Crypto key table: key id → 16-character secret (rap's <c>CryptoProcessor({id: key})</c>). Empty: crypto off.</summary>
    public IDictionary<string, string> CryptoKeys { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Oldest accepted envelope timestamp relative to now (future timestamps are accepted, as in rap). rap: 60 s.</summary>
    public TimeSpan CryptoMaxAge { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a seen nonce is remembered (replays inside it are refused). rap: 120 s.</summary>
    public TimeSpan CryptoNonceLifetime { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// The envelope timestamp check (the time-window half of the crypto checks; the nonce half is the
    /// <see cref="INonceStore"/>). Null: rap's rule, <see cref="MaxAgeCryptoTimeWindow"/> with <see cref="CryptoMaxAge"/>.
    /// </summary>
    public ICryptoTimeWindow? CryptoTimeWindow { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> for inconsistent settings.</summary>
    public void Validate()
    {
        Positive(PingInterval, nameof(PingInterval));
        Positive(PongTimeout, nameof(PongTimeout));
        Positive(IdleTimeout, nameof(IdleTimeout));
        Positive(LegacySilenceThreshold, nameof(LegacySilenceThreshold));
        Positive(CryptoMaxAge, nameof(CryptoMaxAge));
        Positive(CryptoNonceLifetime, nameof(CryptoNonceLifetime));
        if (MaxInFlightCalls < 1 || MaxChannels < 1)
        {
            throw new ArgumentException("MaxInFlightCalls and MaxChannels must be at least 1.");
        }

        if (MaxFrameBytes < 64)
        {
            throw new ArgumentException("MaxFrameBytes is too small.", nameof(MaxFrameBytes));
        }

        if (MaxFrameElements < 1)
        {
            throw new ArgumentException("MaxFrameElements must be at least 1.", nameof(MaxFrameElements));
        }

        ArgumentException.ThrowIfNullOrEmpty(ServerUserAgent);
        foreach (var (id, secret) in CryptoKeys)
        {
            if (string.IsNullOrEmpty(id) || secret is null || System.Text.Encoding.UTF8.GetByteCount(secret) != 16)
            {
                throw new ArgumentException($"Crypto key '{id}' must have a non-empty id and a 16-character secret.");
            }
        }
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException(name + " must be positive.", name);
        }
    }
}
