using ConformanceService;
using OrleansRpc.Server;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Client.Tests.EndToEnd;

/// <summary>Our gateway + server with the conformance functions, in process on a loopback port.</summary>
internal static class RealServer
{
    public static Task<TestCluster> StartAsync(Action<TestClusterBuilder>? configure = null) =>
        TestCluster.StartAsync(builder =>
        {
            builder.ShutdownTimeout = TimeSpan.FromSeconds(20);
            builder.ConfigureGateway(o => o.DrainTimeout = TimeSpan.FromSeconds(4));
            builder.ConfigureServices(services => services
                .AddRapServer(o => o.RunTimeout = ConformanceServiceBuilderExtensions.RunTimeout)
                .AddConformanceFunctions());
            configure?.Invoke(builder);
        });

    public static RapClient Client(TestCluster cluster, Action<RapClientOptions>? configure = null) =>
        RapClient.Create($"127.0.0.1:{cluster.EndPoint.Port}", configure);
}
