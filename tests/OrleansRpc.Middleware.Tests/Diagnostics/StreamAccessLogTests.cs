using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansRpc.MessagePack;
using OrleansRpc.Middleware.Tests.Infrastructure;
using OrleansRpc.Testing;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Middleware.Tests.Diagnostics;

/// <summary>With the access log on, a channel and a generator each get one line when they end (over real sockets).</summary>
public sealed class StreamAccessLogTests
{
    [Fact]
    public async Task A_channel_and_a_generator_each_log_one_line_when_they_end()
    {
        var log = new ListLoggerProvider();
        await using TestCluster cluster = await TestCluster.StartAsync(builder => builder
            .ConfigureLogging(l => l.AddProvider(log))
            .ConfigureServices(services =>
            {
                services.AddRapServer()
                    .AddFunction(TestFunctions.Echo, "echo_channel")
                    .AddFunction(TestFunctions.Count, "count");
                services.AddRapTelemetry(o => o.AccessLog = true);
            }));
        await using RawFrameClient client = await Frames.ConnectHeadAsync(cluster.EndPoint);

        await client.SendAsync(MessagePackValue.FromArray(102, 5, MessagePackValue.FromMap(("channel_life_cycle", "DECLARE"), ("target", "/default/echo_channel")), MessagePackValue.FromMap()).ToArray());
        await client.SendAsync(MessagePackValue.FromArray(102, 5, MessagePackValue.FromMap(("channel_life_cycle", "MSG")), "hi").ToArray());
        await client.SendAsync(MessagePackValue.FromArray(102, 5, MessagePackValue.FromMap(("channel_life_cycle", "DROP")), MessagePackValue.Nil).ToArray());
        await client.SendAsync(MessagePackValue.FromArray(102, 7, MessagePackValue.FromMap(("channel_life_cycle", "DECLARE"), ("target", "/default/count")), MessagePackValue.FromMap()).ToArray());
        await client.SendAsync(MessagePackValue.FromArray(102, 7, MessagePackValue.FromMap(("channel_life_cycle", "MSG")), MessagePackValue.FromMap(("n", 2))).ToArray());

        await Eventually.TrueAsync(() => StreamLines(log).Count == 2, "two stream access log lines");
        var lines = StreamLines(log);
        Assert.Equal(["channel /default/echo_channel", "generator /default/count"], lines.Select(l => l.State["Kind"] + " " + l.State["Target"]).Order());
        Assert.All(lines, l =>
        {
            Assert.Equal("127.0.0.1:" + client.LocalEndPoint.Port, l.State["Peer"]);
            Assert.Equal("head", l.State["Generation"]);
        });
    }

    private static List<ListLoggerProvider.Entry> StreamLines(ListLoggerProvider log)
        => [.. log.Lines.Where(l => l.Category == "OrleansRpc.Middleware.AccessLog" && l.State.ContainsKey("Kind"))];
}
