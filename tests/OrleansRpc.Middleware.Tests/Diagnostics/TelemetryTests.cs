using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansRpc.MessagePack;
using OrleansRpc.Middleware.Tests.Infrastructure;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Middleware.Tests.Diagnostics;

public sealed class TelemetryTests
{
    [Fact]
    public async Task Calls_connections_bytes_and_refusals_are_measured_with_the_right_names_and_tags()
    {
        await using TestCluster cluster = await MiddlewareCluster.StartAsync(s =>
        {
            s.AddRapTelemetry(o => o.Tracing = false);
            s.AddRapRateLimiting(o => o.Rules.Add(new() { Function = "divide", MaxTokens = 2, Period = TimeSpan.FromHours(1) }));
        });
        using var recorder = new MeasurementRecorder(cluster.Services.GetRequiredService<IMeterFactory>());

        byte[] call = Frames.HeadCall(5, "/default/sum", MessagePackValue.FromMap(("a", 1), ("b", 2)));
        int bytesSent;
        await using (RawFrameClient head = await Frames.ConnectHeadAsync(cluster.EndPoint))
        {
            await head.SendAsync(call);
            await Frames.ReadHeadAnswerAsync(head, 101, 5);
            await head.SendAsync(Frames.HeadCall(7, "/default/divide", MessagePackValue.FromMap(("a", 1), ("b", 0))));
            await Frames.ReadHeadAnswerAsync(head, 101, 7);
            await head.SendAsync(Frames.HeadCall(9, "/default/divide", MessagePackValue.FromMap(("a", 4), ("b", 2))));
            await Frames.ReadHeadAnswerAsync(head, 101, 9);
            await head.SendAsync(Frames.HeadCall(11, "/default/divide", MessagePackValue.FromMap(("a", 4), ("b", 2))));
            MessagePackValue limited = (await Frames.ReadHeadAnswerAsync(head, 101, 11))!.Value;
            Assert.Equal(429, Frames.HeadStatus(limited));
            bytesSent = Frames.HeadDeclare().Length + call.Length + (3 * Frames.HeadCall(7, "/default/divide", MessagePackValue.FromMap(("a", 1), ("b", 0))).Length);
        }

        await using (RawFrameClient legacy = await RawFrameClient.ConnectAsync(cluster.EndPoint))
        {
            await legacy.SendAsync(Frames.LegacyCall(3, "default", "sum_async", Frames.LegacyBody(1, 2)));
            await Frames.ReadLegacyAnswerAsync(legacy, 3);
        }

        await Eventually.TrueAsync(() => recorder.Sum("orleansrpc.connections") == 0, "both connections to be counted closed");

        (string, object?)[] sum = [("rap.group", "default"), ("rap.function", "sum"), ("rap.generation", "head")];
        Assert.Equal(1, recorder.Sum("orleansrpc.calls", [.. sum, ("rap.status_code", 200)]));
        Assert.Equal(1, recorder.Count("orleansrpc.call.duration", [.. sum, ("rap.status_code", 200)]));
        Assert.Equal(0, recorder.Sum("orleansrpc.call.errors", sum));
        Assert.Equal(1, recorder.Sum("orleansrpc.calls", ("rap.function", "sum_async"), ("rap.generation", "0.5.3.8"), ("rap.status_code", 200)));

        // divide(1, 0) raised (HEAD 301), then one success, then one shed by the rule (429).
        (string, object?)[] divide = [("rap.function", "divide"), ("rap.generation", "head")];
        Assert.Equal(1, recorder.Sum("orleansrpc.call.errors", [.. divide, ("rap.status_code", 301)]));
        Assert.Equal(1, recorder.Sum("orleansrpc.calls", [.. divide, ("rap.status_code", 200)]));
        Assert.Equal(1, recorder.Sum("orleansrpc.call.errors", [.. divide, ("rap.status_code", 429)]));
        Assert.Equal(1, recorder.Sum("orleansrpc.rate_limit.rejected"));
        Assert.Equal(0, recorder.Sum("orleansrpc.calls.in_flight"));
        Assert.Equal(4, recorder.Count("orleansrpc.calls.in_flight", ("rap.generation", "head")) / 2);

        // Connections by generation: each went +1 unknown, then moved to its generation, then -1.
        Assert.Equal(1, recorder.Count("orleansrpc.connections", ("rap.generation", "head")) / 2);
        Assert.Equal(1, recorder.Count("orleansrpc.connections", ("rap.generation", "0.5.3.8")) / 2);
        Assert.True(recorder.Sum("orleansrpc.bytes.received") >= bytesSent + Frames.LegacyCall(3, "default", "sum_async", Frames.LegacyBody(1, 2)).Length - 64);
        Assert.True(recorder.Sum("orleansrpc.bytes.sent") > 0);
    }

    [Fact]
    public async Task Refused_connections_are_counted_by_reason()
    {
        await using TestCluster cluster = await MiddlewareCluster.StartAsync(s => s.AddRapConnectionLimit(o =>
        {
            o.MaxConnections = 0;
            o.BlockTime = TimeSpan.Zero;
        }));
        using var recorder = new MeasurementRecorder(cluster.Services.GetRequiredService<IMeterFactory>());
        for (int i = 0; i < 2; i++)
        {
            await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);
            await client.SendAsync(Frames.HeadDeclare());
            Assert.NotNull(await client.ReadFrameAsync(Frames.Timeout));
        }

        Assert.Equal(2, recorder.Sum("orleansrpc.connections.refused", ("reason", "connection_limit")));
    }

    [Fact]
    public async Task A_span_per_call_continues_the_callers_w3c_trace_and_the_access_log_has_one_line_per_call()
    {
        var spans = new ConcurrentQueue<Activity>();
        string traceId = ActivityTraceId.CreateRandom().ToHexString();
        string parentId = ActivitySpanId.CreateRandom().ToHexString();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "OrleansRpc",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.TraceId.ToHexString() == traceId)
                {
                    spans.Enqueue(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var log = new ListLoggerProvider();

        await using TestCluster cluster = await TestCluster.StartAsync(builder => builder
            .ConfigureLogging(l => l.AddProvider(log))
            .ConfigureServices(services =>
            {
                services.AddRapServer().AddFunction(Infrastructure.TestFunctions.Divide, "divide");
                services.AddRapTelemetry(o => o.AccessLog = true);
            }));

        await using RawFrameClient client = await Frames.ConnectHeadAsync(cluster.EndPoint);
        await client.SendAsync(Frames.HeadCall(5, "/default/divide", MessagePackValue.FromMap(("a", 6), ("b", 3)), ("traceparent", $"00-{traceId}-{parentId}-01"), ("tracestate", "vendor=1")));
        Assert.Equal(2, (await Frames.ReadHeadAnswerAsync(client, 101, 5))!.Value[3].AsInt64());
        await client.SendAsync(Frames.HeadCall(7, "/default/divide", MessagePackValue.FromMap(("a", 6), ("b", 0)), ("traceparent", $"00-{traceId}-{parentId}-01")));
        Assert.Equal(301, Frames.HeadStatus((await Frames.ReadHeadAnswerAsync(client, 101, 7))!.Value));
        await Eventually.TrueAsync(() => spans.Count == 2, "two spans");

        Activity[] recorded = [.. spans];
        Assert.All(recorded, span =>
        {
            Assert.Equal("default/divide", span.OperationName);
            Assert.Equal(ActivityKind.Server, span.Kind);
            Assert.Equal(parentId, span.ParentSpanId.ToHexString());
            Assert.Equal("rap", span.GetTagItem("rpc.system"));
            Assert.Equal("default", span.GetTagItem("rpc.service"));
            Assert.Equal("divide", span.GetTagItem("rpc.method"));
            Assert.Equal("head", span.GetTagItem("rap.generation"));
        });
        Assert.Equal("vendor=1", recorded[0].TraceStateString);
        Assert.Equal(200, recorded[0].GetTagItem("rap.status_code"));
        Assert.Equal(ActivityStatusCode.Unset, recorded[0].Status);
        Assert.Equal(301, recorded[1].GetTagItem("rap.status_code"));
        Assert.Equal(ActivityStatusCode.Error, recorded[1].Status);

        await Eventually.TrueAsync(() => log.Lines.Count(l => l.Category == "OrleansRpc.Middleware.AccessLog") == 2, "two access log lines");
        var lines = log.Lines.Where(l => l.Category == "OrleansRpc.Middleware.AccessLog").ToList();
        Assert.All(lines, l =>
        {
            Assert.Equal("127.0.0.1:" + client.LocalEndPoint.Port, l.State["Peer"]);
            Assert.Equal("head", l.State["Generation"]);
            Assert.Equal("/default/divide", l.State["Target"]);
            Assert.IsType<double>(l.State["DurationMs"]);
        });
        Assert.Equal([200, 301], lines.Select(l => (int)l.State["StatusCode"]!));
    }

    [Fact]
    public async Task The_access_log_is_off_by_default()
    {
        // A client decides how many calls it makes: one Information line each is not a default.
        var log = new ListLoggerProvider();
        await using TestCluster cluster = await TestCluster.StartAsync(builder => builder
            .ConfigureLogging(l => l.AddProvider(log))
            .ConfigureServices(services =>
            {
                services.AddRapServer().AddFunction(Infrastructure.TestFunctions.Divide, "divide");
                services.AddRapTelemetry();
            }));

        await using RawFrameClient client = await Frames.ConnectHeadAsync(cluster.EndPoint);
        for (int id = 5; id < 25; id += 2)
        {
            await client.SendAsync(Frames.HeadCall(id, "/default/divide", MessagePackValue.FromMap(("a", 6), ("b", 3))));
            Assert.Equal(2, (await Frames.ReadHeadAnswerAsync(client, 101, id))!.Value[3].AsInt64());
        }

        Assert.DoesNotContain(log.Lines, l => l.Category == "OrleansRpc.Middleware.AccessLog");
    }

    [Fact]
    public async Task Otlp_export_starts_and_stops_with_the_host_when_an_endpoint_is_configured()
    {
        TestCluster cluster = await MiddlewareCluster.StartAsync(s => s.AddRapTelemetry(o => o.OtlpEndpoint = new Uri("http://127.0.0.1:9")));
        var service = cluster.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<OrleansRpc.Middleware.Diagnostics.RapOpenTelemetryService>().Single();
        Assert.True(service.IsExporting);
        await using (RawFrameClient client = await Frames.ConnectHeadAsync(cluster.EndPoint))
        {
            await client.SendAsync(Frames.HeadCall(5, "/default/sum", MessagePackValue.FromMap(("a", 1))));
            Assert.Equal(200, Frames.HeadStatus((await Frames.ReadHeadAnswerAsync(client, 101, 5))!.Value));
        }

        await cluster.DisposeAsync();
        Assert.False(service.IsExporting);
    }
}
