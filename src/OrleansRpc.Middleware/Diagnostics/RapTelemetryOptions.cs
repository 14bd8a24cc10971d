namespace OrleansRpc.Middleware.Diagnostics;

/// <summary>Per-call access log, metrics, spans and their OpenTelemetry export.</summary>
public sealed class RapTelemetryOptions
{
    /// <summary>The configuration section (below <c>OrleansRpc:Middleware</c>).</summary>
    public const string SectionName = "Telemetry";

    /// <summary>
    /// One structured log line per call (category <c>OrleansRpc.Middleware.AccessLog</c>, Information). Default false:
    /// a client decides how many lines it writes (1.26 M lines, 65 MB in 3 minutes of load) and each costs the call
    /// path; switch it on where the lines are wanted.
    /// </summary>
    public bool AccessLog { get; set; }

    /// <summary>Call metrics on the <c>OrleansRpc</c> meter. Default true.</summary>
    public bool Metrics { get; set; } = true;

    /// <summary>A span per call on the <c>OrleansRpc</c> ActivitySource (W3C parent from <c>traceparent</c>/<c>tracestate</c> headers). Default true.</summary>
    public bool Tracing { get; set; } = true;

    /// <summary>Connections by generation and bytes in/out (a connection middleware after TLS). Default true.</summary>
    public bool ConnectionMetrics { get; set; } = true;

    /// <summary>OTLP collector endpoint (e.g. <c>http://localhost:4317</c>); null: no OpenTelemetry export.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>OTLP transport: <c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>Meters exported over OTLP (wildcards allowed). Default <c>OrleansRpc*</c>.</summary>
    public IList<string> Meters { get; } = [];

    /// <summary>ActivitySources exported over OTLP (wildcards allowed). Default <c>OrleansRpc*</c>.</summary>
    public IList<string> ActivitySources { get; } = [];
}
