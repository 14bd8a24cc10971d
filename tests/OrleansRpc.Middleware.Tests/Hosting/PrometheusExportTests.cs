using Microsoft.Extensions.Hosting;
using OrleansRpc.Hosting;
using OrleansRpc.Hosting.Metrics;
using OrleansRpc.MessagePack;
using OrleansRpc.Middleware.Tests.Infrastructure;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Middleware.Tests.Hosting;

/// <summary>
/// The middleware's meter is named so that the hosting layer's Prometheus endpoint exports it unchanged. The collector
/// listens process-wide, so it runs alone: another test's host stopping meanwhile can make a component's observable
/// callback throw inside the scrape.
/// </summary>
[Collection(PrometheusCollection.Name)]
public sealed class PrometheusExportTests
{
    [Fact]
    public async Task Call_and_connection_instruments_appear_in_the_prometheus_text()
    {
        await using TestCluster cluster = await MiddlewareCluster.StartAsync(s =>
        {
            s.AddRapTelemetry(o => o.Tracing = false);
            s.AddOptions<MetricsOptions>();
            s.AddSingleton<PrometheusMetricsCollector>();
            s.AddSingleton<IHostedService>(sp => sp.GetRequiredService<PrometheusMetricsCollector>());
        });
        PrometheusMetricsCollector collector = cluster.Services.GetRequiredService<PrometheusMetricsCollector>();
        collector.Start();
        await using (RawFrameClient client = await Frames.ConnectHeadAsync(cluster.EndPoint))
        {
            await client.SendAsync(Frames.HeadCall(5, "/default/sum", MessagePackValue.FromMap(("a", 1), ("b", 2))));
            await Frames.ReadHeadAnswerAsync(client, 101, 5);
        }

        string text = collector.Collect();
        string[] lines = text.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("orleansrpc_calls_total{", StringComparison.Ordinal) && l.Contains("rap_function=\"sum\"", StringComparison.Ordinal) && l.Contains("rap_status_code=\"200\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("orleansrpc_call_duration_seconds_bucket{", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("orleansrpc_bytes_received_bytes_total", StringComparison.Ordinal) || l.StartsWith("orleansrpc_bytes_received_total", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("orleansrpc_connections{", StringComparison.Ordinal) && l.Contains("rap_generation=\"head\"", StringComparison.Ordinal));
    }
}
