using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansRpc.Gateway.Connections;
using OrleansRpc.Gateway.Tests.EndToEnd;
using OrleansRpc.Gateway.Tests.Infrastructure;
using OrleansRpc.MessagePack;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.Hostile;

/// <summary>
/// A client that pipelines calls and never reads the answers: past <see cref="RapGatewayOptions.MaxUnsentOutputBytes"/>
/// the gateway stops reading it (TCP pushes back on the client), its unsent answers stay bounded, a healthy client
/// is still answered, and after <see cref="RapGatewayOptions.OutputDrainTimeout"/> it is cut with a log line.
/// Both generations: the bound is on the connection's output, whatever wrote it.
/// </summary>
public sealed class UnreadAnswersTests
{
    private const long Limit = 256 * 1024;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_client_that_never_reads_is_paused_then_cut_and_a_healthy_one_is_answered(bool head)
    {
        var logs = new LogCapture();
        await using TestCluster cluster = await ConformanceCluster.StartAsync(b => b
            .ConfigureGateway(o =>
            {
                o.MaxUnsentOutputBytes = Limit;
                o.OutputDrainTimeout = TimeSpan.FromSeconds(4);
                o.PingInterval = TimeSpan.FromMinutes(5); // no ping timeouts in this test
                o.PongTimeout = TimeSpan.FromMinutes(10);
            })
            .ConfigureLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Debug)));
        var tracker = cluster.Services.GetRequiredService<RapConnectionTracker>();
        await using RawFrameClient healthy = await RapFrames.ConnectHeadAsync(cluster);

        // The attacker: a small receive buffer, 1 KB echo calls as fast as the socket takes them, nothing read.
        using var attacker = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
        await attacker.ConnectAsync(cluster.EndPoint);
        if (head)
        {
            await attacker.SendAsync(RapFrames.HeadDeclare());
        }

        string payload = new('x', 1000);
        byte[] batch = [.. Enumerable.Range(0, 64).SelectMany(i => head
            ? RapFrames.HeadCall(5 + (2 * i), "default", "echo", MessagePackValue.FromMap(("value", payload)))
            : RapFrames.LegacyCall(5 + (2 * i), "default", "echo", payload))];
        long sent = 0;
        var stop = new CancellationTokenSource();
        Task flood = Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    sent += await attacker.SendAsync(batch, SocketFlags.None, stop.Token);
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // cut by the server, or the test is over
            }
        });

        // While it floods: the attacker's unsent answers stay near the limit, and the healthy client is answered.
        int attackerPort = ((System.Net.IPEndPoint)attacker.LocalEndPoint!).Port;
        RapConnection attackerConnection = await WaitForAsync(() => tracker.Connections.FirstOrDefault(c => c.Output.FramesWritten > 100 && (c.RemoteEndPoint as System.Net.IPEndPoint)?.Port == attackerPort));
        long maxUnsent = 0;
        var watch = Stopwatch.StartNew();
        long id = 101;
        while (watch.Elapsed < TimeSpan.FromSeconds(2))
        {
            maxUnsent = Math.Max(maxUnsent, attackerConnection.Output.UnsentBytes);
            // Answered while the attacker floods (no latency bound here: the healthy p99 under attack is measured by
            // bench/hostile/stress.py, not asserted in a unit test on a shared machine).
            await healthy.SendAsync(RapFrames.HeadCall(id, "default", "sum_sync", MessagePackValue.FromMap(("a", id), ("b", 1))));
            Assert.Equal(id + 1, (await RapFrames.ReadAsync(healthy, id, TimeSpan.FromSeconds(20)))[3].AsInt64());
            id += 2;
            await Task.Delay(20);
        }

        // Bounded: the limit plus the answers of calls already running (at most one read's worth of 1 KB echoes).
        Assert.InRange(maxUnsent, 0, Limit + (2 * 1024 * 1024));
        long sentWhilePaused = Volatile.Read(ref sent);
        Assert.True(sentWhilePaused < 64L * 1024 * 1024, $"the attacker pushed {sentWhilePaused} bytes: the server kept reading");

        // The attacker never drains: cut after the drain timeout, with a log line saying why.
        await attackerConnection.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains(logs.Entries, e => e.EventId.Name == "OutputDrainTimeout" && e.Level == LogLevel.Warning);
        Assert.DoesNotContain(attackerConnection, tracker.Connections);
        await stop.CancelAsync();
        await flood.WaitAsync(TimeSpan.FromSeconds(30));

        // The healthy connection is unaffected.
        await healthy.SendAsync(RapFrames.HeadCall(999, "default", "sum_sync", MessagePackValue.FromMap(("a", 1), ("b", 1))));
        Assert.Equal(2, (await RapFrames.ReadAsync(healthy, 999))[3].AsInt64());
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe)
        where T : class
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            await Task.Delay(10, timeout.Token);
        }
    }
}
