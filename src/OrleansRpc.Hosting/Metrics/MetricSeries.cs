namespace OrleansRpc.Hosting.Metrics;

/// <summary>One label set of one instrument: a running value, or a histogram's buckets.</summary>
internal sealed class MetricSeries
{
    private readonly Lock _lock = new();
    private readonly double[]? _bounds;
    private readonly long[]? _bucketCounts;
    private double _value;
    private long _count;

    public MetricSeries(string labels, KeyValuePair<string, object?>[] tags, double[]? bounds)
    {
        Labels = labels;
        Tags = tags;
        _bounds = bounds;
        _bucketCounts = bounds is null ? null : new long[bounds.Length + 1];
    }

    /// <summary>The Prometheus label text without braces (<c>a="1",b="2"</c>), empty for none.</summary>
    public string Labels { get; }

    /// <summary>The tags, sorted by key.</summary>
    public KeyValuePair<string, object?>[] Tags { get; }

    public void Add(double value)
    {
        lock (_lock)
        {
            _value += value;
        }
    }

    public void Set(double value)
    {
        lock (_lock)
        {
            _value = value;
        }
    }

    public void Record(double value)
    {
        lock (_lock)
        {
            _value += value;
            _count++;
            int bucket = _bounds!.Length;
            for (int i = 0; i < _bounds.Length; i++)
            {
                if (value <= _bounds[i])
                {
                    bucket = i;
                    break;
                }
            }

            _bucketCounts![bucket]++;
        }
    }

    /// <summary>The value (sum for a histogram).</summary>
    public double Value
    {
        get
        {
            lock (_lock)
            {
                return _value;
            }
        }
    }

    /// <summary>A histogram's cumulative bucket counts (one more than the bounds: the last is +Inf), sum and count.</summary>
    public (long[] Cumulative, double Sum, long Count) Snapshot()
    {
        lock (_lock)
        {
            var cumulative = new long[_bucketCounts!.Length];
            long running = 0;
            for (int i = 0; i < cumulative.Length; i++)
            {
                running += _bucketCounts[i];
                cumulative[i] = running;
            }

            return (cumulative, _value, _count);
        }
    }
}
