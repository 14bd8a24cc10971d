using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Orleans.Hosting;
using OrleansRpc.Server;

namespace OrleansRpc.Hosting;

/// <summary>
/// The embedded default silo of <c>AddOrleansRpc</c>: localhost clustering on a free loopback port (no Orleans
/// client gateway unless <c>OrleansRpc:Cluster:GatewayPort</c> is set), in-memory grain storage and memory streams,
/// Orleans' service and cluster ids and silo name from <c>OrleansRpc:Cluster</c>. Nothing outside the process.
/// </summary>
public static class OrleansRpcSilo
{
    /// <summary>Configures <paramref name="silo"/> as the embedded default, from the <c>OrleansRpc:Cluster</c> section.</summary>
    public static void Configure(ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        var cluster = new ClusterOptions();
        configuration.GetSection(OrleansRpcSections.Cluster).Bind(cluster);
        silo.UseRapLocalhostCluster(cluster.SiloPort, cluster.GatewayPort);
        silo.Configure<Orleans.Configuration.ClusterOptions>(o =>
        {
            o.ServiceId = string.IsNullOrWhiteSpace(cluster.ServiceId) ? ClusterOptions.DefaultId : cluster.ServiceId;
            o.ClusterId = string.IsNullOrWhiteSpace(cluster.ClusterId) ? ClusterOptions.DefaultId : cluster.ClusterId;
        });
        silo.Configure<SiloOptions>(o => o.SiloName = cluster.SiloName
            ?? (Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : Environment.MachineName));
    }
}
