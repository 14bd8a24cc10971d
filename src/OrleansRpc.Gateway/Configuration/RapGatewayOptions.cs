namespace OrleansRpc.Gateway;

/// <summary>
/// Settings of the rap gateway: where it listens, TLS, limits, keep-alive and shutdown behaviour.
/// Bound through <c>IOptions&lt;RapGatewayOptions&gt;</c> and validated when the host starts.
/// </summary>
public sealed class RapGatewayOptions
{
    /// <summary>The configuration section the options bind from by default.</summary>
    public const string SectionName = "RapGateway";

    /// <summary>Default port, as rap's own server.</summary>
    public const int DefaultPort = 9000;

    /// <summary>Default <see cref="MaxFrameBytes"/>: 100 MiB, the largest value the Python peer can decode.</summary>
    public const long DefaultMaxFrameBytes = 100L * 1024 * 1024;

    /// <summary>Default <see cref="MaxUnsentOutputBytes"/>: 4 MiB.</summary>
    public const long DefaultMaxUnsentOutputBytes = 4L * 1024 * 1024;

    /// <summary>Default <see cref="MaxInFlightCallsPerConnection"/>.</summary>
    public const int DefaultMaxInFlightCallsPerConnection = 1024;

    /// <summary>
    /// Host or IP address to listen on. <c>localhost</c> listens on both loopback addresses,
    /// <c>*</c>, <c>0.0.0.0</c> or an empty value on every address; a name is resolved once at start.
    /// Default <c>127.0.0.1</c>.
    /// </summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (read it from <see cref="RapGatewayEndpoint"/>). Default 9000.</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>PEM certificate (chain) file; with <see cref="TlsKeyPath"/> it turns TLS on. Default: none (plain TCP).</summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>PEM private key file of <see cref="TlsCertificatePath"/>. Default: none.</summary>
    public string? TlsKeyPath { get; set; }

    /// <summary>Largest accepted frame in bytes; a bigger one closes the connection. Default 100 MiB.</summary>
    public long MaxFrameBytes { get; set; } = DefaultMaxFrameBytes;

    /// <summary>
    /// Most elements (array items plus map keys and values, all levels together) in one incoming frame; a frame with
    /// more closes the connection as malformed input. A decoded element costs ~30 bytes however small its encoding (a
    /// nil is one byte), so this bounds what one frame may expand to in memory. Default 1 Mi (~30 MB decoded).
    /// </summary>
    public long MaxFrameElements { get; set; } = OrleansRpc.MessagePack.MessagePackReaderOptions.DefaultMaxFrameElements;

    /// <summary>Most open connections; further ones are closed at once. 0 means unlimited (default).</summary>
    public int MaxConnections { get; set; }

    /// <summary>
    /// Most calls (and open channels or generators) running at once on one connection. At the cap the
    /// gateway stops reading that connection until one finishes (back-pressure, not an error). Default 1024.
    /// </summary>
    public int MaxInFlightCallsPerConnection { get; set; } = DefaultMaxInFlightCallsPerConnection;

    /// <summary>
    /// Most answer bytes (results, errors, events, generator items, encrypted or not) one connection may have
    /// waiting for its peer to read them. Above it the gateway stops reading that connection's requests until the
    /// peer has read enough (TCP then pushes back on the client), so a client that sends calls and never reads the
    /// answers holds at most about this much, plus the answers of the calls already running. Default 4 MiB.
    /// </summary>
    public long MaxUnsentOutputBytes { get; set; } = DefaultMaxUnsentOutputBytes;

    /// <summary>
    /// How long a connection may stay above <see cref="MaxUnsentOutputBytes"/> (its peer reading nothing, or too little
    /// to get below it) before it is cut, with a log line saying so. Default 30 s.
    /// </summary>
    public TimeSpan OutputDrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the server pings a connection. rap's default is 60 s.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Close a connection (close event <c>recv pong timeout</c>) when no pong arrived for this long.
    /// Default: null, meaning 2 × <see cref="PingInterval"/> + 10 % as rap computes it.
    /// </summary>
    public TimeSpan? PongTimeout { get; set; }

    /// <summary>Close a connection on which nothing arrived for this long (close event <c>keep alive timeout</c>). Default 1200 s.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(1200);

    /// <summary>
    /// A connection that has sent nothing for this long is assumed to be a silent 0.5.3.8 client and
    /// starts receiving 0.5.3.8 pings (the only case the server speaks first). Default 60 s.
    /// </summary>
    public TimeSpan LegacySilenceThreshold { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>On shutdown, how long in-flight calls may run before their connections are closed. Default 8 s.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>
    /// On shutdown, how long a connection keeps reading after the stop was announced (HEAD: the <c>shutdown</c> event;
    /// 0.5.3.8 has none): calls its client sent before it could know are still read and answered. After it the
    /// connection reads no more, waits for its running calls (until <see cref="DrainTimeout"/>, when the rest are
    /// answered with ServerError <c>server is stopping</c>) and closes. At most <see cref="DrainTimeout"/>. Default 1 s.
    /// </summary>
    public TimeSpan DrainGracePeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Ping HEAD clients too (they ping on their own and do not need it). Default true.</summary>
    public bool PingHeadClients { get; set; } = true;

    /// <summary>
    /// rap's crypto plug-in key table: key id → 16-character secret. Empty (default): crypto off, bodies are plain.
    /// </summary>
    public IDictionary<string, string> CryptoKeys { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Treat every peer as remote when deciding about private functions (loopback peers are local otherwise).
    /// Default false.
    /// </summary>
    public bool TreatAllPeersAsRemote { get; set; }

    /// <summary>Callbacks run before the gateway starts accepting (rap's before-start events), in order.</summary>
    public IList<Func<IServiceProvider, CancellationToken, Task>> OnBeforeStart { get; } = [];

    /// <summary>Callbacks run after the gateway stopped and drained (rap's after-stop events), in order.</summary>
    public IList<Func<IServiceProvider, CancellationToken, Task>> OnAfterStop { get; } = [];

    /// <summary>True when both TLS files are configured.</summary>
    public bool IsTlsEnabled => !string.IsNullOrEmpty(TlsCertificatePath) && !string.IsNullOrEmpty(TlsKeyPath);

    /// <summary>The effective pong timeout.</summary>
    public TimeSpan EffectivePongTimeout => PongTimeout ?? (PingInterval * 2) + (PingInterval * 0.2);
}
