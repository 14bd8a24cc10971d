using ConformanceService;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.EndToEnd;

/// <summary>A <see cref="TestCluster"/> serving the conformance functions, configured as CONFORMANCE_SERVICE.md §1 says.</summary>
internal static class ConformanceCluster
{
    public static Task<TestCluster> StartAsync(Action<TestClusterBuilder>? configure = null) =>
        TestCluster.StartAsync(builder =>
        {
            builder.ShutdownTimeout = TimeSpan.FromSeconds(20);
            builder.ConfigureGateway(o =>
            {
                o.PingInterval = TimeSpan.FromSeconds(1);
                o.PongTimeout = TimeSpan.FromSeconds(3.3);
                o.LegacySilenceThreshold = TimeSpan.FromSeconds(1);
                o.DrainTimeout = TimeSpan.FromSeconds(4);
            });
            builder
                .ConfigureServer(o => o.RunTimeout = ConformanceServiceBuilderExtensions.RunTimeout)
                .AddFunctions(f => f.AddConformanceFunctions());
            configure?.Invoke(builder);
        });
}
