using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.Gateway.Connections;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.EndToEnd;

/// <summary>Observes the gateway's connections from a test.</summary>
internal static class InFlight
{
    /// <summary>Waits until some connection of the cluster has a call running.</summary>
    public static async Task WaitForCallAsync(TestCluster cluster)
    {
        var tracker = cluster.Services.GetRequiredService<RapConnectionTracker>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!tracker.Connections.Any(c => c.InFlightCalls > 0))
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
