namespace OrleansRpc.Hosting.Metrics;

/// <summary>How an instrument's measurements aggregate and how Prometheus sees them.</summary>
internal enum MetricKind
{
    /// <summary><c>Counter&lt;T&gt;</c>: measurements add up; Prometheus counter.</summary>
    Counter,

    /// <summary><c>ObservableCounter&lt;T&gt;</c>: each observation is the running total; Prometheus counter.</summary>
    ObservableCounter,

    /// <summary><c>UpDownCounter&lt;T&gt;</c>: measurements add up, may go down; Prometheus gauge.</summary>
    UpDownCounter,

    /// <summary><c>ObservableUpDownCounter&lt;T&gt;</c>, <c>ObservableGauge&lt;T&gt;</c>, <c>Gauge&lt;T&gt;</c>: last value; Prometheus gauge.</summary>
    Gauge,

    /// <summary><c>Histogram&lt;T&gt;</c>: bucketed distribution; Prometheus histogram.</summary>
    Histogram,
}
