using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace OrleansRpc.Hosting.Metrics;

/// <summary>
/// Listens to the process's System.Diagnostics.Metrics instruments of the configured meters and renders
/// them in the Prometheus text format. Generic: whatever instrument a component publishes under a matching
/// meter is exported, without the component knowing about Prometheus. Starts listening when the host
/// starts (instruments created earlier are picked up too; their earlier measurements are not).
/// </summary>
public sealed class PrometheusMetricsCollector : IHostedLifecycleService, IDisposable
{
    /// <summary>The Prometheus text exposition format's content type.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly MeterListener _listener = new();
    private readonly IReadOnlyList<string> _meters;
    private readonly ConcurrentDictionary<Instrument, InstrumentAggregator> _instruments = new();
    private readonly Lock _collectLock = new();
    private readonly ILogger _logger;
    private int _started;

    public PrometheusMetricsCollector(IOptions<MetricsOptions> options, ILogger<PrometheusMetricsCollector>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _meters = options.Value.EffectiveMeters;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _listener.InstrumentPublished = OnInstrumentPublished;
        _listener.MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out InstrumentAggregator? _);
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => Record(state, (double)value, tags));
    }

    /// <summary>Starts listening (idempotent).</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _listener.Start();
        }
    }

    /// <summary>True when a meter of this name is exported.</summary>
    public bool IsExported(string meterName)
    {
        ArgumentNullException.ThrowIfNull(meterName);
        foreach (string meter in _meters)
        {
            if (meterName.Equals(meter, StringComparison.Ordinal)
                || (meterName.Length > meter.Length && meterName.StartsWith(meter, StringComparison.Ordinal) && meterName[meter.Length] == '.'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Collects observable instruments and renders every exported metric as Prometheus text.</summary>
    public string Collect()
    {
        var output = new StringBuilder();
        lock (_collectLock)
        {
            foreach (InstrumentAggregator aggregator in _instruments.Values)
            {
                aggregator.BeginCollect();
            }

            try
            {
                _listener.RecordObservableInstruments();
            }
            catch (Exception ex) when (ex is AggregateException or NullReferenceException or ObjectDisposedException or InvalidOperationException)
            {
                // A callback of another component (one being torn down, say) must not fail the whole scrape:
                // the listener still recorded every other observable instrument before rethrowing.
                HostingLog.ObservableCallbackFailed(_logger, ex);
            }

            // One HELP/TYPE header per metric name even when several meters publish under it.
            foreach (IGrouping<string, InstrumentAggregator> metric in _instruments.Values.GroupBy(a => a.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                InstrumentAggregator first = metric.First();
                if (!string.IsNullOrEmpty(first.Instrument.Description))
                {
                    output.Append("# HELP ").Append(metric.Key).Append(' ').Append(PrometheusNames.EscapeHelp(first.Instrument.Description)).Append('\n');
                }

                output.Append("# TYPE ").Append(metric.Key).Append(' ').Append(first.PrometheusType).Append('\n');
                foreach (InstrumentAggregator aggregator in metric)
                {
                    if (aggregator.PrometheusType != first.PrometheusType)
                    {
                        HostingLog.MetricConflict(_logger, metric.Key, first.Instrument.Meter.Name);
                        continue;
                    }

                    aggregator.WriteSamples(output);
                }
            }
        }

        return output.ToString();
    }

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        Start();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();

    /// <summary>
    /// Routes a measurement to its aggregator (the listener's subscription state). The state is null when the
    /// instrument's meter was disposed (a host in the same process stopping) while a scrape was observing it:
    /// the listener read the subscription after it was removed. Such a measurement belongs to nobody any more.
    /// </summary>
    internal static void Record(object? state, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (state is InstrumentAggregator aggregator)
        {
            aggregator.Record(value, tags);
        }
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (!IsExported(instrument.Meter.Name) || InstrumentAggregator.Create(instrument) is not { } aggregator)
        {
            return;
        }

        _instruments[instrument] = aggregator;
        listener.EnableMeasurementEvents(instrument, aggregator);
    }
}
