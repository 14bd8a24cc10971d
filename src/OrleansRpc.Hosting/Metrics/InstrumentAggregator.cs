using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;

namespace OrleansRpc.Hosting.Metrics;

/// <summary>The aggregated measurements of one instrument, one <see cref="MetricSeries"/> per label set.</summary>
internal sealed class InstrumentAggregator
{
    /// <summary>OpenTelemetry's default explicit bucket bounds.</summary>
    internal static readonly double[] DefaultBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    /// <summary>Bounds for durations in seconds (OpenTelemetry's advice for <c>http.server.request.duration</c>).</summary>
    internal static readonly double[] SecondsBounds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    // Series by an order-independent hash of their tags; a measurement finds its series without allocating.
    private readonly ConcurrentDictionary<int, MetricSeries[]> _series = new();
    private readonly Lock _addLock = new();
    private readonly double[]? _bounds;

    private InstrumentAggregator(Instrument instrument, MetricKind kind, double[]? bounds)
    {
        Instrument = instrument;
        Kind = kind;
        _bounds = bounds;
        Name = PrometheusNames.MetricName(instrument.Name, instrument.Unit, kind is MetricKind.Counter or MetricKind.ObservableCounter);
    }

    public Instrument Instrument { get; }

    public MetricKind Kind { get; }

    /// <summary>The Prometheus metric name.</summary>
    public string Name { get; }

    /// <summary>The Prometheus type.</summary>
    public string PrometheusType => Kind switch
    {
        MetricKind.Counter or MetricKind.ObservableCounter => "counter",
        MetricKind.Histogram => "histogram",
        _ => "gauge",
    };

    public IEnumerable<MetricSeries> Series => _series.Values.SelectMany(bucket => bucket);

    /// <summary>An aggregator for a known instrument type, or null for one this exporter does not understand.</summary>
    public static InstrumentAggregator? Create(Instrument instrument)
    {
        Type type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }

        Type definition = type.GetGenericTypeDefinition();
        MetricKind? kind = definition switch
        {
            _ when definition == typeof(Counter<>) => MetricKind.Counter,
            _ when definition == typeof(ObservableCounter<>) => MetricKind.ObservableCounter,
            _ when definition == typeof(UpDownCounter<>) => MetricKind.UpDownCounter,
            _ when definition == typeof(ObservableUpDownCounter<>) => MetricKind.Gauge,
            _ when definition == typeof(ObservableGauge<>) => MetricKind.Gauge,
            _ when definition == typeof(Gauge<>) => MetricKind.Gauge,
            _ when definition == typeof(Histogram<>) => MetricKind.Histogram,
            _ => null,
        };

        if (kind is null)
        {
            return null;
        }

        double[]? bounds = kind == MetricKind.Histogram ? BoundsFor(instrument) : null;
        return new InstrumentAggregator(instrument, kind.Value, bounds);
    }

    /// <summary>Observable instruments report whole values per collection: forget the last collection's series.</summary>
    public void BeginCollect()
    {
        if (Instrument.IsObservable)
        {
            _series.Clear();
        }
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        MetricSeries series = GetSeries(tags);
        switch (Kind)
        {
            case MetricKind.Counter:
            case MetricKind.UpDownCounter:
                series.Add(value);
                break;
            case MetricKind.Histogram:
                series.Record(value);
                break;
            default:
                series.Set(value);
                break;
        }
    }

    /// <summary>Writes the sample lines (no HELP/TYPE header).</summary>
    public void WriteSamples(StringBuilder output)
    {
        foreach (MetricSeries series in Series)
        {
            if (Kind != MetricKind.Histogram)
            {
                WriteSample(output, Name, series.Labels, null, series.Value);
                continue;
            }

            (long[] cumulative, double sum, long count) = series.Snapshot();
            for (int i = 0; i < cumulative.Length; i++)
            {
                string le = i < _bounds!.Length ? PrometheusNames.FormatValue(_bounds[i]) : "+Inf";
                WriteSample(output, Name + "_bucket", series.Labels, $"le=\"{le}\"", cumulative[i]);
            }

            WriteSample(output, Name + "_sum", series.Labels, null, sum);
            WriteSample(output, Name + "_count", series.Labels, null, count);
        }
    }

    private static void WriteSample(StringBuilder output, string name, string labels, string? extraLabel, double value)
    {
        output.Append(name);
        if (labels.Length > 0 || extraLabel is not null)
        {
            output.Append('{').Append(labels);
            if (extraLabel is not null)
            {
                if (labels.Length > 0)
                {
                    output.Append(',');
                }

                output.Append(extraLabel);
            }

            output.Append('}');
        }

        output.Append(' ').Append(PrometheusNames.FormatValue(value)).Append('\n');
    }

    private MetricSeries GetSeries(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        int hash = Hash(tags);
        if (_series.TryGetValue(hash, out MetricSeries[]? bucket))
        {
            foreach (MetricSeries candidate in bucket)
            {
                if (SameTags(candidate.Tags, tags))
                {
                    return candidate;
                }
            }
        }

        lock (_addLock)
        {
            bucket = _series.GetValueOrDefault(hash) ?? [];
            foreach (MetricSeries candidate in bucket)
            {
                if (SameTags(candidate.Tags, tags))
                {
                    return candidate;
                }
            }

            KeyValuePair<string, object?>[] copy = tags.ToArray();
            Array.Sort(copy, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            var series = new MetricSeries(FormatLabels(copy), copy, _bounds);
            _series[hash] = [.. bucket, series];
            return series;
        }
    }

    private static int Hash(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        int hash = tags.Length;
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            hash += HashCode.Combine(tag.Key, tag.Value); // a sum: the order of the tags does not matter
        }

        return hash;
    }

    private static bool SameTags(KeyValuePair<string, object?>[] known, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (known.Length != tags.Length)
        {
            return false;
        }

        foreach (KeyValuePair<string, object?> tag in tags)
        {
            bool found = false;
            foreach (KeyValuePair<string, object?> candidate in known)
            {
                if (string.Equals(candidate.Key, tag.Key, StringComparison.Ordinal))
                {
                    found = Equals(candidate.Value, tag.Value);
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    private static string FormatLabels(KeyValuePair<string, object?>[] sorted)
    {
        var builder = new StringBuilder();
        foreach (KeyValuePair<string, object?> tag in sorted)
        {
            if (builder.Length > 0)
            {
                builder.Append(',');
            }

            builder.Append(PrometheusNames.LabelName(tag.Key))
                .Append("=\"")
                .Append(PrometheusNames.EscapeLabelValue(PrometheusNames.FormatTagValue(tag.Value)))
                .Append('"');
        }

        return builder.ToString();
    }

    private static double[] BoundsFor(Instrument instrument)
    {
        double[]? advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            _ => null,
        };

        if (advised is { Length: > 0 })
        {
            return advised;
        }

        return instrument.Unit == "s" ? SecondsBounds : DefaultBounds;
    }
}
