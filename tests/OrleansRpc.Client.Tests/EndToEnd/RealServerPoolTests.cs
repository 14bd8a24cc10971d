using OrleansRpc.Client.Tests.Infrastructure;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Client.Tests.EndToEnd;

/// <summary>Pool growth, caller cancellation and reconnect after a restart, against our own gateway and server over loopback.</summary>
public sealed class RealServerPoolTests
{
    [Fact]
    public async Task The_pool_grows_under_load_up_to_its_cap_against_the_server()
    {
        await using var cluster = await RealServer.StartAsync();
        await using var client = RealServer.Client(cluster, o =>
        {
            o.MaxInFlightPerConnection = 2;
            o.MaxConnectionsPerEndpoint = 3;
        });

        // 3 connections × 2 slots: six calls run at once, two wait for a slot; 2 s keeps the first six running
        // while the pool grows (well inside the conformance run timeout of 3 s).
        var calls = Enumerable.Range(0, 8).Select(i => client.InvokeAsync<long>("default", "sleep_ms", ("ms", 2000 + i)).AsTask()).ToArray();
        await Eventually.TrueAsync(() => client.Pools[0].Connections.Sum(c => c.InFlight) == 6, "six calls in flight", timeoutMs: 30_000);
        Assert.Equal(3, client.GetConnectionCounts().Values.Single());
        Assert.All(client.Pools[0].Connections, c => Assert.Equal(2, c.InFlight));

        Assert.Equal(Enumerable.Range(0, 8).Select(i => 2000L + i), await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(3, client.GetConnectionCounts().Values.Single());
    }

    [Fact]
    public async Task A_cancelled_call_frees_its_slot_and_its_late_answer_is_dropped()
    {
        await using var cluster = await RealServer.StartAsync();
        await using var client = RealServer.Client(cluster, o =>
        {
            o.MaxInFlightPerConnection = 1;
            o.MaxConnectionsPerEndpoint = 1;
        });
        await client.StartAsync();
        var connection = client.Pools[0].Connections.Single();

        using var cancellation = new CancellationTokenSource();
        var cancelled = client.InvokeAsync<long>("default", "sleep_ms", RapArgs.Of(("ms", 300)), null, cancellation.Token).AsTask();
        await Eventually.TrueAsync(() => connection.InFlight == 1, "the call is on the wire");
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        // One connection with one slot: this call only goes out because the cancelled one gave its slot back. It
        // ends after the cancelled call's answer arrived, which must have been dropped, not taken for this one.
        Assert.Equal(600, await client.InvokeAsync<long>("default", "sleep_ms", ("ms", 600)));
        Assert.Equal(5, await client.InvokeAsync<long>("default", "sum_sync", ("a", 2), ("b", 3)));
        Assert.Same(connection, client.Pools[0].Connections.Single());
        Assert.Equal(0, connection.InFlight);
    }

    [Fact]
    public async Task The_client_reconnects_after_the_server_restarts()
    {
        var cluster = await RealServer.StartAsync();
        int port = cluster.EndPoint.Port;
        await using var client = RealServer.Client(cluster, o =>
        {
            o.ReconnectDelayMin = TimeSpan.FromMilliseconds(20);
            o.ReconnectDelayMax = TimeSpan.FromMilliseconds(200);
        });
        Assert.Equal(3, await client.InvokeAsync<long>("default", "sum_sync", ("a", 1), ("b", 2)));

        await cluster.DisposeAsync();
        await Eventually.TrueAsync(() => client.GetConnectionCounts().Values.Single() == 0, "client noticed the closed connection");
        await Assert.ThrowsAsync<RapConnectionException>(() =>
            client.InvokeAsync<long>("default", "sum_sync", RapArgs.Of(("a", 1), ("b", 2)), RapCallOptions.WithTimeout(TimeSpan.FromMilliseconds(300))).AsTask());

        // The same port again, as a restarted pod behind a stable address.
        await using TestCluster restarted = await RealServer.StartAsync(b => b.ConfigureGateway(o => o.Port = port));
        Assert.Equal(11, await client.InvokeAsync<long>("default", "sum_sync", ("a", 5), ("b", 6)));
        Assert.Equal(1, client.GetConnectionCounts().Values.Single());
    }
}
