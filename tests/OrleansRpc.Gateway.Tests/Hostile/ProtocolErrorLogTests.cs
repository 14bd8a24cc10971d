using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OrleansRpc.Gateway.Tests.EndToEnd;
using OrleansRpc.Gateway.Tests.Infrastructure;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.Hostile;

/// <summary>
/// Structural protocol errors are logged saying what was wrong (the limit, its value, what the frame declared, the
/// byte offset), at Information within a gateway-wide budget and at Debug beyond it, never at Warning.
/// </summary>
public sealed class ProtocolErrorLogTests
{
    [Fact]
    public async Task Frame_errors_name_the_limit_and_offset_and_a_flood_of_them_goes_to_Debug()
    {
        var logs = new LogCapture();
        await using TestCluster cluster = await ConformanceCluster.StartAsync(b => b.ConfigureLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Debug)));
        var watch = Stopwatch.StartNew();
        const int Connections = 60;
        for (int i = 0; i < Connections; i++)
        {
            await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

            // A well-formed first frame (12 bytes), then an array declaring 16 Mi elements.
            await client.SendAsync(RapFrames.LegacyCall(1, "default", "sum_sync", 1, 2));
            await RapFrames.ReadAsync(client, 1);
            await client.SendAsync(new byte[] { 0xdd, 0x01, 0x00, 0x00, 0x00 });
            await client.ReadUntilClosedAsync(TimeSpan.FromSeconds(10));
        }

        TimeSpan elapsed = watch.Elapsed;
        List<LogCapture.Entry> lines = [.. logs.Entries.Where(e => e.EventId.Name == "FrameLimitExceeded")];
        await Eventually(() => logs.Entries.Count(e => e.EventId.Name == "FrameLimitExceeded") == Connections);
        lines = [.. logs.Entries.Where(e => e.EventId.Name == "FrameLimitExceeded")];
        Assert.All(lines, e => Assert.True(e.Level is LogLevel.Information or LogLevel.Debug));
        int information = lines.Count(e => e.Level == LogLevel.Information);
        Assert.InRange(information, ProtocolErrorLogLimiter.Burst, ProtocolErrorLogLimiter.Burst + (int)Math.Ceiling(elapsed.TotalSeconds * ProtocolErrorLogLimiter.PerSecond) + 1);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning && e.Category.StartsWith("OrleansRpc", StringComparison.Ordinal));

        LogCapture.Entry first = lines[0];
        byte[] call = RapFrames.LegacyCall(1, "default", "sum_sync", 1, 2);
        Assert.Contains("MaxFrameElements is 1048576, the frame declared 16777216", first.Message, StringComparison.Ordinal);
        Assert.Contains($"at byte {call.Length + 5}", first.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_structural_error_the_protocol_finds_is_logged_with_its_kind_and_offset()
    {
        var logs = new LogCapture();
        await using TestCluster cluster = await ConformanceCluster.StartAsync(b => b.ConfigureLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Debug)));
        await using RawFrameClient client = await RapFrames.ConnectHeadAsync(cluster);

        // A 3-array after DECLARE: valid msgpack, not a HEAD frame.
        await client.SendAsync(OrleansRpc.MessagePack.MessagePackValue.FromArray(101, 5, OrleansRpc.MessagePack.MessagePackValue.FromMap()).ToArray());
        await client.ReadUntilClosedAsync(TimeSpan.FromSeconds(10));

        int declare = RapFrames.HeadDeclare().Length;
        await Eventually(() => logs.Entries.Any(e => e.EventId.Name == "ProtocolClosed"));
        LogCapture.Entry line = logs.Entries.First(e => e.EventId.Name == "ProtocolClosed");
        Assert.Contains($"ProtocolError: HEAD frame at byte {declare}: WrongLength (an array of the wrong length)", line.Message, StringComparison.Ordinal);
        Assert.Equal(LogLevel.Debug, line.Level);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
