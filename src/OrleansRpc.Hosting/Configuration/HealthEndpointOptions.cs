namespace OrleansRpc.Hosting;

/// <summary>
/// The HTTP health endpoint: a Kestrel listener of its own (separate from the rap gateway port) serving
/// liveness, readiness and, with <see cref="MetricsOptions"/>, Prometheus metrics.
/// </summary>
public sealed class HealthEndpointOptions
{
    /// <summary>Default <see cref="Port"/>.</summary>
    public const int DefaultPort = 8080;

    /// <summary>Default <see cref="LivePath"/>.</summary>
    public const string DefaultLivePath = "/healthz/live";

    /// <summary>Default <see cref="ReadyPath"/>.</summary>
    public const string DefaultReadyPath = "/healthz/ready";

    /// <summary>Serve the health endpoint. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Address to listen on, as the gateway's <c>Host</c>: <c>*</c>/<c>0.0.0.0</c> = every address (what a
    /// container needs so the kubelet can probe it), <c>localhost</c>, an IP. Default <c>127.0.0.1</c>.
    /// </summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (see <see cref="HealthEndpoint"/>). Default 8080.</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>Liveness: 200 while the process serves requests. Default <c>/healthz/live</c>.</summary>
    public string LivePath { get; set; } = DefaultLivePath;

    /// <summary>
    /// Readiness: 200 once the silo and the gateway have started, 503 before that and from the moment the
    /// host begins to stop. Default <c>/healthz/ready</c>.
    /// </summary>
    public string ReadyPath { get; set; } = DefaultReadyPath;

    /// <summary>
    /// On stop, how long to keep serving with readiness already false before the gateway starts draining,
    /// so load balancers and endpoint lists stop sending new clients first. Default 0 (no delay).
    /// </summary>
    public TimeSpan ShutdownDelay { get; set; } = TimeSpan.Zero;
}
