using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace OrleansRpc.Hosting.Metrics;

/// <summary>
/// The hosting layer's own instruments (meter <c>OrleansRpc.Hosting</c>): readiness and identity, so a
/// scrape says which silo of which service and cluster it came from.
/// </summary>
internal sealed class HostingInstruments
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "OrleansRpc.Hosting";

    public HostingInstruments(IMeterFactory meterFactory, OrleansRpcReadiness readiness, IOptions<ClusterOptions> cluster)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ClusterOptions options = cluster.Value;
        KeyValuePair<string, object?>[] identity =
        [
            new("service.id", options.ServiceId),
            new("cluster.id", options.ClusterId),
            new("silo.name", options.SiloName ?? Environment.MachineName),
        ];

        Meter meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge(
            "orleansrpc.host.ready",
            () => new Measurement<int>(readiness.IsReady ? 1 : 0, identity),
            unit: "{ready}",
            description: "1 while the silo and gateway have started and the host is not stopping, else 0.");
        meter.CreateObservableGauge(
            "orleansrpc.host.state",
            () => new Measurement<int>((int)readiness.State, identity),
            unit: "{state}",
            description: "Readiness state: 0 starting, 1 ready, 2 draining, 3 stopped.");
    }
}
