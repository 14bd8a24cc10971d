using System.Diagnostics;

namespace OrleansRpc.Middleware.Diagnostics;

/// <summary>Telemetry names of the middleware: one Meter and one ActivitySource named after the package.</summary>
public static class RapMiddlewareDiagnostics
{
    /// <summary>The Meter and ActivitySource name (the Prometheus endpoint exports meters named <c>OrleansRpc*</c>).</summary>
    public const string Name = "OrleansRpc";

    /// <summary>Spans: one per call (<c>rap.call</c>-style names <c>group/function</c>), created only while someone listens.</summary>
    public static ActivitySource ActivitySource { get; } = new(Name);
}
