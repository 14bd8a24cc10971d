using Microsoft.Extensions.Logging;

namespace OrleansRpc.Hosting;

/// <summary>Log events of the hosting layer.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(1, LogLevel.Information, "Silo {SiloName} of service {ServiceId}, cluster {ClusterId} is ready", EventName = "Ready")]
    public static partial void Ready(ILogger logger, string siloName, string serviceId, string clusterId);

    [LoggerMessage(2, LogLevel.Information, "Stopping: readiness is now false; the gateway drains next", EventName = "NotReady")]
    public static partial void NotReady(ILogger logger);

    [LoggerMessage(3, LogLevel.Information, "Waiting {Delay} with readiness false before the gateway drains", EventName = "ShutdownDelay")]
    public static partial void ShutdownDelay(ILogger logger, TimeSpan delay);

    [LoggerMessage(4, LogLevel.Information, "Health endpoint listening on http://{EndPoint} (live {LivePath}, ready {ReadyPath}, metrics {MetricsPath})", EventName = "HealthListening")]
    public static partial void HealthListening(ILogger logger, string endPoint, string livePath, string readyPath, string metricsPath);

    [LoggerMessage(6, LogLevel.Warning, "Metric {Name} is published by more than one instrument with different types; exporting only the first ({Meter})", EventName = "MetricConflict")]
    public static partial void MetricConflict(ILogger logger, string name, string meter);

    [LoggerMessage(7, LogLevel.Warning, "An observable instrument's callback failed during a metrics scrape; the other instruments are still exported", EventName = "ObservableCallbackFailed")]
    public static partial void ObservableCallbackFailed(ILogger logger, Exception exception);
}
