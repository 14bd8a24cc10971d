using OrleansRpc.Gateway.Tests.EndToEnd;
using OrleansRpc.Gateway.Tests.Infrastructure;
using OrleansRpc.MessagePack;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.Hostile;

/// <summary>
/// Graceful shutdown loses no call: a connection keeps reading for <see cref="RapGatewayOptions.DrainGracePeriod"/>
/// after the stop is announced, every call it read is answered (with its result, or with ServerError
/// <c>server is stopping</c> when it still runs at <see cref="RapGatewayOptions.DrainTimeout"/>), then it closes.
/// </summary>
public sealed class GracefulShutdownTests
{
    private static Task<TestCluster> StartAsync(TimeSpan grace, TimeSpan drain) =>
        ConformanceCluster.StartAsync(b => b.ConfigureGateway(o =>
        {
            o.DrainGracePeriod = grace;
            o.DrainTimeout = drain;
        }));

    [Fact]
    public async Task Legacy_calls_sent_after_the_last_answer_of_the_drain_are_still_answered()
    {
        await using TestCluster cluster = await StartAsync(TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(4));
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);
        await client.SendAsync(RapFrames.LegacyCall(5, "default", "sleep_ms", 200));
        await InFlight.WaitForCallAsync(cluster);

        Task stopping = cluster.StopAsync();

        // The running call ends (the connection's in-flight count is then zero) and the client, which was told
        // nothing (0.5.3.8 has no shutdown notice), keeps calling.
        Assert.Equal(200, (await RapFrames.ReadAsync(client, 5))[5]["result"].AsInt64());
        for (long id = 7; id < 17; id += 2)
        {
            await client.SendAsync(RapFrames.LegacyCall(id, "default", "sum_sync", id, 1));
            Assert.Equal(id + 1, (await RapFrames.ReadAsync(client, id))[5]["result"].AsInt64());
        }

        await client.ReadUntilClosedAsync(TimeSpan.FromSeconds(10));
        await stopping.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Head_calls_in_transit_when_the_shutdown_event_arrives_are_all_answered()
    {
        await using TestCluster cluster = await StartAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4));
        await using RawFrameClient client = await RapFrames.ConnectHeadAsync(cluster);
        await client.SendAsync(RapFrames.HeadCall(5, "default", "sleep_ms", MessagePackValue.FromMap(("ms", 300))));
        await InFlight.WaitForCallAsync(cluster);

        Task stopping = cluster.StopAsync();

        // Wait for the announcement, then send 100 calls at once: a client that had not read it yet.
        while (true)
        {
            MessagePackValue frame = MessagePackValue.Parse(await client.ReadFrameAsync() ?? throw new InvalidOperationException("closed"));
            if (frame[0].AsInt64() == 203 && frame[2].TryGetValue("target", out MessagePackValue target) && target.AsString().Contains("shutdown", StringComparison.Ordinal))
            {
                break;
            }
        }

        byte[] calls = [.. Enumerable.Range(0, 100).SelectMany(i => RapFrames.HeadCall(101 + (2 * i), "default", "sum_sync", MessagePackValue.FromMap(("a", i), ("b", 1))))];
        await client.SendAsync(calls);
        var answered = new HashSet<long>();
        bool sleepAnswered = false;
        foreach (byte[] bytes in await client.ReadUntilClosedAsync(TimeSpan.FromSeconds(15)))
        {
            MessagePackValue frame = MessagePackValue.Parse(bytes);
            if (frame[0].AsInt64() != 101)
            {
                continue;
            }

            long id = frame[1].AsInt64();
            if (id == 5)
            {
                sleepAnswered = true;
                continue;
            }

            Assert.Equal(((id - 101) / 2) + 1, frame[3].AsInt64());
            answered.Add(id);
        }

        // The sleep's answer may have come before the shutdown event was read: then it is not in the tail.
        Assert.Equal(100, answered.Count);
        _ = sleepAnswered;
        await stopping.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_call_still_running_at_the_drain_timeout_is_answered_server_is_stopping(bool head)
    {
        await using TestCluster cluster = await StartAsync(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1));
        await using RawFrameClient client = head ? await RapFrames.ConnectHeadAsync(cluster) : await RawFrameClient.ConnectAsync(cluster.EndPoint);

        // Longer than the drain timeout, shorter than the conformance run timeout (3 s).
        await client.SendAsync(head
            ? RapFrames.HeadCall(5, "default", "sleep_ms", MessagePackValue.FromMap(("ms", 2500)))
            : RapFrames.LegacyCall(5, "default", "sleep_ms", 2500));
        await InFlight.WaitForCallAsync(cluster);
        Task stopping = cluster.StopAsync();

        MessagePackValue answer = await RapFrames.ReadAsync(client, 5, TimeSpan.FromSeconds(10));
        if (head)
        {
            Assert.Equal(500, answer[2]["status_code"].AsInt64());
            Assert.Equal("server is stopping", answer[3].AsString());
        }
        else
        {
            Assert.Equal(500, answer[4]["status_code"].AsInt64());
            Assert.Equal("server is stopping", answer[5].AsString());
        }

        await client.ReadUntilClosedAsync(TimeSpan.FromSeconds(10));
        await stopping.WaitAsync(TimeSpan.FromSeconds(20));
    }
}
