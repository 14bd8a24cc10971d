using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansRpc.MessagePack;
using OrleansRpc.Middleware.Tests.Infrastructure;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Middleware.Tests.Diagnostics;

public sealed class StreamTelemetryTests
{
    [Fact]
    public async Task Channels_and_generators_are_counted_while_open_and_get_one_span_each()
    {
        string traceId = ActivityTraceId.CreateRandom().ToHexString();
        string parentId = ActivitySpanId.CreateRandom().ToHexString();
        var spans = new ConcurrentQueue<Activity>();
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
        await using TestCluster cluster = await MiddlewareCluster.StartAsync(s => s.AddRapTelemetry());
        using var recorder = new MeasurementRecorder(cluster.Services.GetRequiredService<IMeterFactory>());
        await using RawFrameClient client = await Frames.ConnectHeadAsync(cluster.EndPoint);
        (string, MessagePackValue) traceParent = ("traceparent", $"00-{traceId}-{parentId}-01");

        // A channel: open after DECLARE, closed after DROP.
        await client.SendAsync(MessagePackValue.FromArray(102, 5, MessagePackValue.FromMap(("channel_life_cycle", "DECLARE"), ("target", "/default/echo_channel"), traceParent), MessagePackValue.FromMap()).ToArray());
        await Frames.ReadHeadAnswerAsync(client, 102, 5);
        Assert.Equal(1, recorder.Sum("orleansrpc.channels.open", ("rap.function", "echo_channel"), ("rap.generation", "head")));
        await client.SendAsync(MessagePackValue.FromArray(102, 5, MessagePackValue.FromMap(("channel_life_cycle", "MSG")), "hi").ToArray());
        MessagePackValue echoed = (await Frames.ReadHeadAnswerAsync(client, 102, 5))!.Value;
        Assert.Equal("hi", echoed[3].AsString());
        await client.SendAsync(MessagePackValue.FromArray(102, 5, MessagePackValue.FromMap(("channel_life_cycle", "DROP")), MessagePackValue.Nil).ToArray());
        await Eventually.TrueAsync(() => recorder.Sum("orleansrpc.channels.open") == 0 && recorder.Count("orleansrpc.channels.open") == 2, "the channel to be counted closed");

        // A HEAD generator (a channel whose first MSG holds the parameters): open until its stream ends.
        await client.SendAsync(MessagePackValue.FromArray(102, 7, MessagePackValue.FromMap(("channel_life_cycle", "DECLARE"), ("target", "/default/count"), traceParent), MessagePackValue.FromMap()).ToArray());
        await Frames.ReadHeadAnswerAsync(client, 102, 7);
        await client.SendAsync(MessagePackValue.FromArray(102, 7, MessagePackValue.FromMap(("channel_life_cycle", "MSG")), MessagePackValue.FromMap(("n", 2))).ToArray());
        MessagePackValue? drop = await Frames.ReadUntilAsync(client, f => f.Count == 4 && f[1].AsInt64() == 7 && f[2].TryGetValue("channel_life_cycle", out var life) && life.AsString() == "DROP");
        Assert.NotNull(drop);
        await Eventually.TrueAsync(() => recorder.Count("orleansrpc.generators.open", ("rap.function", "count")) == 2, "the generator to be counted closed");
        Assert.Equal(0, recorder.Sum("orleansrpc.generators.open"));

        await Eventually.TrueAsync(() => spans.Count == 2, "a span per channel and generator");
        Assert.Equal(["channel", "generator"], spans.Select(s => (string)s.GetTagItem("rap.kind")!).Order(StringComparer.Ordinal));
        Assert.All(spans, s => Assert.Equal(parentId, s.ParentSpanId.ToHexString()));
        Assert.Contains(spans, s => s.OperationName == "default/echo_channel");
        Assert.Contains(spans, s => s.OperationName == "default/count");
    }

    [Fact]
    public async Task A_legacy_generator_is_open_from_its_first_call_to_its_end()
    {
        await using TestCluster cluster = await MiddlewareCluster.StartAsync(s => s.AddRapTelemetry(o => o.Tracing = false));
        using var recorder = new MeasurementRecorder(cluster.Services.GetRequiredService<IMeterFactory>());
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        MessagePackValue Body(MessagePackValue callId) =>
            MessagePackValue.FromMap(("call_id", callId), ("param", MessagePackValue.FromArray(2)), ("default_param", MessagePackValue.FromMap()));

        await client.SendAsync(Frames.LegacyCall(1, "default", "count", Body(-1)));
        MessagePackValue first = (await Frames.ReadLegacyAnswerAsync(client, 1))!.Value;
        Assert.Equal(0, first[5]["result"].AsInt64());
        MessagePackValue callId = first[5]["call_id"];
        Assert.Equal(1, recorder.Sum("orleansrpc.generators.open", ("rap.function", "count"), ("rap.generation", "0.5.3.8")));

        await client.SendAsync(Frames.LegacyCall(2, "default", "count", Body(callId)));
        Assert.Equal(1, (await Frames.ReadLegacyAnswerAsync(client, 2))!.Value[5]["result"].AsInt64());
        await client.SendAsync(Frames.LegacyCall(3, "default", "count", Body(callId)));
        Assert.Equal(301, (await Frames.ReadLegacyAnswerAsync(client, 3))!.Value[4]["status_code"].AsInt64());

        await Eventually.TrueAsync(() => recorder.Count("orleansrpc.generators.open") == 2, "the generator to be counted closed");
        Assert.Equal(0, recorder.Sum("orleansrpc.generators.open"));
    }
}
