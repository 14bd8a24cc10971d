using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;

namespace OrleansRpc.Client;

/// <summary>Settings of a <see cref="RapClient"/>. Defaults follow rap's HEAD client where it has one and are safe otherwise.</summary>
public sealed class RapClientOptions
{
    /// <summary>Default HEAD user agent: what a rap client built from source announces (§2.7 b).</summary>
    public const string DefaultHeadUserAgent = "Python3-0.0.0";

    /// <summary>The v0.5.3.8 user agent; the server only maps exceptions and serves generators for exactly this value (§3.5).</summary>
    public const string DefaultLegacyUserAgent = "Python3-0.5.3";

    /// <summary>Servers to use, as <c>host:port</c> (IPv6 as <c>[::1]:9000</c>). Calls are spread over all of them.</summary>
    public IList<string> Endpoints { get; } = new List<string>();

    /// <summary>Wire generation: <see cref="RapVersion.Head"/> (default) or <see cref="RapVersion.V0538"/> for old rap servers.</summary>
    public RapVersion ProtocolVersion { get; set; } = RapVersion.Head;

    /// <summary>Connections per endpoint the pool may grow to under load (rap: 3).</summary>
    public int MaxConnectionsPerEndpoint { get; set; } = 3;

    /// <summary>Outstanding calls (and open channels) per connection (rap: 100). Further calls wait for a slot.</summary>
    public int MaxInFlightPerConnection { get; set; } = 100;

    /// <summary>In-flight share of <see cref="MaxInFlightPerConnection"/> above which the pool opens another connection.</summary>
    public double GrowThreshold { get; set; } = 0.75;

    /// <summary>Bound for TCP/TLS connect plus DECLARE (rap: 9 s).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(9);

    /// <summary>
    /// Timeout of a call when the call does not set one. rap has none; a finite default keeps a lost answer from
    /// hanging the caller forever. <see cref="Timeout.InfiniteTimeSpan"/> disables it.
    /// </summary>
    public TimeSpan DefaultCallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Shortest pause between two ping rounds (rap: 1 s).</summary>
    public TimeSpan PingIntervalMin { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest pause between two ping rounds (rap: 3 s).</summary>
    public TimeSpan PingIntervalMax { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Pings per round (rap: 3).</summary>
    public int PingsPerRound { get; set; } = 3;

    /// <summary>A connection with no answered ping for this long is retired (rap: 9 s).</summary>
    public TimeSpan LivenessTimeout { get; set; } = TimeSpan.FromSeconds(9);

    /// <summary>First delay before reconnecting after a failed connect; doubles up to <see cref="ReconnectDelayMax"/>.</summary>
    public TimeSpan ReconnectDelayMin { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Largest reconnect delay.</summary>
    public TimeSpan ReconnectDelayMax { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a closing channel waits for the server's DROP answer (rap 0.5.3.8: 3 s).</summary>
    public TimeSpan ChannelCloseTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>User agent sent in DECLARE (HEAD) or every header (v0.5.3.8); <see langword="null"/> picks the rap default of the generation.</summary>
    public string? UserAgent { get; set; }

    /// <summary>DECLARE <c>metadata</c> (HEAD): visible to server code for the whole connection.</summary>
    public IDictionary<string, MessagePackValue> Metadata { get; } = new Dictionary<string, MessagePackValue>(StringComparer.Ordinal);

    /// <summary>
    /// Send <c>X-rap-deadline</c> (now + timeout) on every call with a finite timeout. Off by default because rap's
    /// own HEAD server misreads the header and fails such calls at once (§7 #3); our server honours it.
    /// A call's explicit <see cref="RapCallOptions.Deadline"/> is always sent.
    /// </summary>
    public bool SendDeadlineHeader { get; set; }

    /// <summary>
    /// Send a channel DROP when a generator is abandoned early, so the server stops it (rap's client sends nothing,
    /// leaving it suspended until the connection closes). HEAD only; v0.5.3.8 has no way to say it.
    /// </summary>
    public bool DropAbandonedGenerators { get; set; } = true;

    /// <summary>Largest frame accepted from the server (Python's own limit is 100 MiB).</summary>
    public long MaxFrameBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>TLS settings; off unless <see cref="RapClientTlsOptions.Enabled"/>.</summary>
    public RapClientTlsOptions Tls { get; set; } = new();

    /// <summary>rap's crypto plug-in (AES body encryption); off when <see langword="null"/>.</summary>
    public RapClientCryptoOptions? Crypto { get; set; }

    internal string EffectiveUserAgent => UserAgent ?? (ProtocolVersion == RapVersion.Head ? DefaultHeadUserAgent : DefaultLegacyUserAgent);
}
