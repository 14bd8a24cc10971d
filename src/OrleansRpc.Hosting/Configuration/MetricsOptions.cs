namespace OrleansRpc.Hosting;

/// <summary>
/// The Prometheus text endpoint on the health port. It exports every instrument of the listed meters,
/// whatever component publishes them.
/// </summary>
public sealed class MetricsOptions
{
    /// <summary>Default <see cref="Path"/>.</summary>
    public const string DefaultPath = "/metrics";

    /// <summary>Serve metrics (needs the health endpoint). Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Path on the health port. Default <c>/metrics</c>.</summary>
    public string Path { get; set; } = DefaultPath;

    /// <summary>The meter exported when <see cref="Meters"/> is empty.</summary>
    public const string DefaultMeter = "OrleansRpc";

    /// <summary>
    /// Meter names to export: a name matches itself and every name below it (<c>OrleansRpc</c> matches
    /// <c>OrleansRpc.Gateway</c>). Default: empty, meaning <c>OrleansRpc</c>. (Empty by default because
    /// configuration binding appends to a list rather than replacing it.)
    /// </summary>
    public IList<string> Meters { get; set; } = [];

    /// <summary>The meters actually exported.</summary>
    public IReadOnlyList<string> EffectiveMeters => Meters.Count == 0 ? [DefaultMeter] : [.. Meters];
}
