using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace OrleansRpc.Middleware.Diagnostics;

/// <summary>
/// Exports the <c>OrleansRpc*</c> meters and activity sources over OTLP when <see cref="RapTelemetryOptions.OtlpEndpoint"/>
/// is set. Built from the core SDK (<c>Sdk.Create…ProviderBuilder</c>) at start, flushed and disposed with the host.
/// </summary>
internal sealed class RapOpenTelemetryService : IHostedService, IDisposable
{
    private readonly RapTelemetryOptions _options;
    private MeterProvider? _meters;
    private TracerProvider? _tracer;

    public RapOpenTelemetryService(IOptions<RapTelemetryOptions> options) => _options = options.Value;

    /// <summary>Whether providers are running (an endpoint was configured).</summary>
    public bool IsExporting => _meters is not null;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.OtlpEndpoint is not { } endpoint)
        {
            return Task.CompletedTask;
        }

        OtlpExportProtocol protocol = string.Equals(_options.OtlpProtocol, "http/protobuf", StringComparison.OrdinalIgnoreCase)
            ? OtlpExportProtocol.HttpProtobuf
            : OtlpExportProtocol.Grpc;
        string[] meters = _options.Meters.Count == 0 ? [RapMiddlewareDiagnostics.Name + "*"] : [.. _options.Meters];
        string[] sources = _options.ActivitySources.Count == 0 ? [RapMiddlewareDiagnostics.Name + "*"] : [.. _options.ActivitySources];
        _meters = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meters)
            .AddOtlpExporter(o =>
            {
                o.Endpoint = endpoint;
                o.Protocol = protocol;
            })
            .Build();
        _tracer = Sdk.CreateTracerProviderBuilder()
            .AddSource(sources)
            .AddOtlpExporter(o =>
            {
                o.Endpoint = endpoint;
                o.Protocol = protocol;
            })
            .Build();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _meters?.ForceFlush(1000);
        _tracer?.ForceFlush(1000);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _meters?.Dispose();
        _tracer?.Dispose();
        _meters = null;
        _tracer = null;
    }
}
