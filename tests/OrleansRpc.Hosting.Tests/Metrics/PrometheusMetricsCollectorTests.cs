using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansRpc.Hosting.Metrics;

namespace OrleansRpc.Hosting.Tests.Metrics;

public sealed class PrometheusMetricsCollectorTests
{
    [Fact]
    public void A_throwing_observable_callback_does_not_fail_the_scrape()
    {
        string meterName = UniqueMeterName();
        using var collector = new PrometheusMetricsCollector(Options.Create(new MetricsOptions()));
        collector.Start();
        using var meter = new Meter(meterName);
        meter.CreateObservableGauge<int>("orleansrpc.test.broken", (Func<int>)(() => throw new InvalidOperationException("torn down")));
        meter.CreateObservableGauge("orleansrpc.test.healthy", () => 5);

        string text = collector.Collect();

        Assert.Contains("orleansrpc_test_healthy 5", text.Split('\n'));
    }

    [Fact]
    public void A_measurement_whose_subscription_is_gone_is_dropped()
    {
        // A host stopping in the same process disposes its meter while another host's scrape observes one of its
        // instruments: the listener then reports the measurement with the subscription state it no longer has.
        PrometheusMetricsCollector.Record(state: null, 1, [new KeyValuePair<string, object?>("group", "default")]);
    }

    [Fact]
    public void Counters_histograms_gauges_and_up_down_counters_are_rendered_with_their_values()
    {
        string meterName = UniqueMeterName();
        using var collector = new PrometheusMetricsCollector(Options.Create(new MetricsOptions()));
        collector.Start();
        using var meter = new Meter(meterName);
        Counter<long> calls = meter.CreateCounter<long>("orleansrpc.test.calls", unit: "{call}", description: "Calls made.");
        Histogram<double> duration = meter.CreateHistogram<double>("orleansrpc.test.duration", unit: "s");
        UpDownCounter<int> open = meter.CreateUpDownCounter<int>("orleansrpc.test.open", unit: "{connection}");
        int observed = 7;
        meter.CreateObservableGauge("orleansrpc.test.queue", () => new Measurement<int>(observed, new KeyValuePair<string, object?>("queue", "a")));

        calls.Add(2, new KeyValuePair<string, object?>("group", "default"), new KeyValuePair<string, object?>("kind", "call"));
        calls.Add(3, new KeyValuePair<string, object?>("kind", "call"), new KeyValuePair<string, object?>("group", "default"));
        calls.Add(1, new KeyValuePair<string, object?>("group", "other\"quoted"));
        duration.Record(0.00390625); // binary fractions: the sum prints exactly
        duration.Record(0.25);
        duration.Record(20);
        open.Add(5);
        open.Add(-2);

        string text = collector.Collect();
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Contains("# HELP orleansrpc_test_calls_total Calls made.", lines);
        Assert.Contains("# TYPE orleansrpc_test_calls_total counter", lines);
        Assert.Contains("orleansrpc_test_calls_total{group=\"default\",kind=\"call\"} 5", lines); // tag order does not split series
        Assert.Contains("orleansrpc_test_calls_total{group=\"other\\\"quoted\"} 1", lines);

        Assert.Contains("# TYPE orleansrpc_test_duration_seconds histogram", lines);
        Assert.Contains("orleansrpc_test_duration_seconds_bucket{le=\"0.005\"} 1", lines);
        Assert.Contains("orleansrpc_test_duration_seconds_bucket{le=\"0.1\"} 1", lines);
        Assert.Contains("orleansrpc_test_duration_seconds_bucket{le=\"0.25\"} 2", lines); // le is inclusive
        Assert.Contains("orleansrpc_test_duration_seconds_bucket{le=\"0.5\"} 2", lines);
        Assert.Contains("orleansrpc_test_duration_seconds_bucket{le=\"10\"} 2", lines);
        Assert.Contains("orleansrpc_test_duration_seconds_bucket{le=\"+Inf\"} 3", lines);
        Assert.Contains("orleansrpc_test_duration_seconds_count 3", lines);
        Assert.Contains("orleansrpc_test_duration_seconds_sum 20.25390625", lines);

        Assert.Contains("# TYPE orleansrpc_test_open gauge", lines);
        Assert.Contains("orleansrpc_test_open 3", lines);

        Assert.Contains("# TYPE orleansrpc_test_queue gauge", lines);
        Assert.Contains("orleansrpc_test_queue{queue=\"a\"} 7", lines);

        // Observable instruments are read at each collection.
        observed = 9;
        Assert.Contains("orleansrpc_test_queue{queue=\"a\"} 9", collector.Collect().Split('\n'));
    }

    [Fact]
    public void Only_configured_meters_are_exported()
    {
        string prefix = "Custom" + Guid.NewGuid().ToString("N");
        using var collector = new PrometheusMetricsCollector(Options.Create(new MetricsOptions { Meters = [prefix] }));
        collector.Start();
        using var included = new Meter(prefix + ".Component");
        using var lookalike = new Meter(prefix + "Other");
        using var orleansRpc = new Meter(UniqueMeterName());
        included.CreateCounter<int>("included.count").Add(1);
        lookalike.CreateCounter<int>("lookalike.count").Add(1);
        orleansRpc.CreateCounter<int>("default.count").Add(1);

        string text = collector.Collect();

        Assert.Contains("included_count_total 1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("lookalike_count", text, StringComparison.Ordinal);
        Assert.DoesNotContain("default_count", text, StringComparison.Ordinal);
        Assert.True(collector.IsExported(prefix));
        Assert.False(collector.IsExported(prefix + "Other"));
    }

    [Fact]
    public void Instruments_created_before_the_listener_starts_are_exported()
    {
        using var meter = new Meter(UniqueMeterName());
        Counter<long> early = meter.CreateCounter<long>("orleansrpc.test.early");
        using var collector = new PrometheusMetricsCollector(Options.Create(new MetricsOptions()));
        collector.Start();
        early.Add(4);

        Assert.Contains("orleansrpc_test_early_total 4", collector.Collect(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_disposed_meter_disappears_from_the_output()
    {
        using var collector = new PrometheusMetricsCollector(Options.Create(new MetricsOptions()));
        collector.Start();
        var meter = new Meter(UniqueMeterName());
        meter.CreateCounter<long>("orleansrpc.test.gone").Add(1);
        Assert.Contains("orleansrpc_test_gone_total 1", collector.Collect(), StringComparison.Ordinal);

        meter.Dispose();

        Assert.DoesNotContain("orleansrpc_test_gone", collector.Collect(), StringComparison.Ordinal);
    }

    [Fact]
    public void Recording_into_an_existing_series_does_not_allocate()
    {
        // A meter only this collector exports: the collectors of hosts that tests running in parallel start
        // (they export every "OrleansRpc" meter) would otherwise subscribe to these instruments in the middle
        // of the loop, and their first measurement rightly allocates a series in their own aggregator.
        string meterName = "Private" + Guid.NewGuid().ToString("N");
        using var collector = new PrometheusMetricsCollector(Options.Create(new MetricsOptions { Meters = [meterName] }));
        collector.Start();
        using var meter = new Meter(meterName);
        Counter<long> calls = meter.CreateCounter<long>("orleansrpc.test.hot");
        Histogram<double> duration = meter.CreateHistogram<double>("orleansrpc.test.hot.duration", unit: "s");
        var group = new KeyValuePair<string, object?>("group", "default");
        var kind = new KeyValuePair<string, object?>("kind", "call");
        calls.Add(1, group, kind);
        duration.Record(0.1, kind, group);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            calls.Add(1, kind, group);
            duration.Record(0.1, group, kind);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Contains("orleansrpc_test_hot_total{group=\"default\",kind=\"call\"} 1001", collector.Collect(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("orleansrpc.gateway.connections", "{connection}", false, "orleansrpc_gateway_connections")]
    [InlineData("orleansrpc.call.duration", "s", false, "orleansrpc_call_duration_seconds")]
    [InlineData("orleansrpc.frame.size", "By", false, "orleansrpc_frame_size_bytes")]
    [InlineData("orleansrpc.calls", null, true, "orleansrpc_calls_total")]
    [InlineData("orleansrpc.received", "By", true, "orleansrpc_received_bytes_total")]
    [InlineData("orleansrpc.wait_seconds", "s", false, "orleansrpc_wait_seconds")]
    [InlineData("9lives-metric", "1", false, "_9lives_metric")]
    public void Names_follow_the_OpenTelemetry_Prometheus_conventions(string name, string? unit, bool counter, string expected) =>
        Assert.Equal(expected, PrometheusNames.MetricName(name, unit, counter));

    [Fact]
    public async Task The_metrics_path_on_the_health_port_serves_Prometheus_text_with_an_instrument_created_here()
    {
        await using WebApplication app = HealthApp.Build();
        await app.StartAsync();
        using var meter = new Meter(UniqueMeterName());
        meter.CreateCounter<long>("orleansrpc.test.http.scraped", unit: "{scrape}").Add(42, new KeyValuePair<string, object?>("source", "test"));
        using HttpClient client = HealthApp.Client(app.Services);

        using HttpResponseMessage response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("# TYPE orleansrpc_test_http_scraped_total counter\n", body, StringComparison.Ordinal);
        Assert.Contains("orleansrpc_test_http_scraped_total{source=\"test\"} 42\n", body, StringComparison.Ordinal);
        Assert.Contains("orleansrpc_host_ready{", body, StringComparison.Ordinal); // the hosting layer's own gauge
        await app.StopAsync();
    }

    [Fact]
    public async Task The_metrics_path_can_be_moved_or_turned_off()
    {
        await using WebApplication app = HealthApp.Build(configure: builder =>
            builder.Services.Configure<MetricsOptions>(o => o.Path = "/prometheus"));
        await app.StartAsync();
        using HttpClient client = HealthApp.Client(app.Services);
        Assert.Equal(HttpStatusCode.OK, (await client.GetTextAsync("/prometheus")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetTextAsync("/metrics")).Status);
        await app.StopAsync();

        await using WebApplication off = HealthApp.Build(configure: builder =>
            builder.Services.Configure<MetricsOptions>(o => o.Enabled = false));
        await off.StartAsync();
        using HttpClient offClient = HealthApp.Client(off.Services);
        Assert.Equal(HttpStatusCode.NotFound, (await offClient.GetTextAsync("/metrics")).Status);
        Assert.Equal(HttpStatusCode.OK, (await offClient.GetTextAsync("/healthz/live")).Status);
        await off.StopAsync();
    }

    private static string UniqueMeterName() => "OrleansRpc.Tests." + Guid.NewGuid().ToString("N");
}
