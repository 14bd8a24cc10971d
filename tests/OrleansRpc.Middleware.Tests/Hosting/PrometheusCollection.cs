namespace OrleansRpc.Middleware.Tests.Hosting;

/// <summary>Tests that read process-wide meter state run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PrometheusCollection
{
    public const string Name = "Prometheus";
}
