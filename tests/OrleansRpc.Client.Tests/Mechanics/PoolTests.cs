using System.Collections.Concurrent;
using OrleansRpc.Client.Tests.Infrastructure;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Tests.Mechanics;

public sealed class PoolTests
{
    [Fact]
    public async Task The_pool_grows_under_load_up_to_its_cap_and_queues_the_rest()
    {
        var held = new ConcurrentQueue<(FakeConnection Connection, long Id, long Value)>();
        var functions = new FakeFunctions().AddRaw("/default/hold", (c, f) =>
        {
            held.Enqueue((c, f.Id, f.Body["v"].AsInt64()));
            return Task.CompletedTask;
        });
        await using var server = FakeRapServer.Start(functions.HandleAsync);
        await using var client = RapClient.Create(server.Endpoint, o =>
        {
            o.MaxInFlightPerConnection = 2;
            o.MaxConnectionsPerEndpoint = 3;
        });

        var calls = Enumerable.Range(0, 8).Select(i => client.InvokeAsync<long>("default", "hold", ("v", i)).AsTask()).ToList();

        // 3 connections × 2 slots: six calls reach the server, two wait for a slot.
        await Eventually.TrueAsync(() => held.Count == 6, "six calls in flight");
        Assert.Equal(3, server.Connections.Count);
        Assert.All(server.Connections, c => Assert.Equal(2, c.Received.Count(f => f.Type == 101)));

        // Answering frees slots; the queued calls then go out and everything completes.
        while (calls.Any(c => !c.IsCompleted))
        {
            while (held.TryDequeue(out var call))
            {
                await call.Connection.SendAsync(Frames.Result(call.Id, call.Value * 10));
            }

            await Task.WhenAny(Task.WhenAll(calls), Task.Delay(20));
        }

        Assert.Equal(Enumerable.Range(0, 8).Select(i => i * 10L), await Task.WhenAll(calls));
        Assert.Equal(3, server.Connections.Count);
    }

    [Fact]
    public async Task Ten_thousand_concurrent_calls_on_one_client_all_get_their_own_answer()
    {
        await using var server = FakeRapServer.Start(FakeFunctions.Standard().HandleAsync);
        await using var client = RapClient.Create(server.Endpoint);
        var calls = new Task<long>[10_000];
        for (var i = 0; i < calls.Length; i++)
        {
            calls[i] = client.InvokeAsync<long>("default", "sum", ("a", i), ("b", 1)).AsTask();
        }

        var results = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60));
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(i + 1, results[i]);
        }

        Assert.InRange(server.Connections.Count, 1, 3);
        Assert.Equal(10_000, server.Connections.Sum(c => c.Received.Count(f => f.Type == 101)));
    }

    [Fact]
    public async Task Many_calls_through_a_tiny_pool_all_complete_and_free_every_slot()
    {
        await using var server = FakeRapServer.Start(FakeFunctions.Standard().HandleAsync);
        await using var client = RapClient.Create(server.Endpoint, o =>
        {
            o.MaxInFlightPerConnection = 4;
            o.MaxConnectionsPerEndpoint = 2;
        });
        var calls = Enumerable.Range(0, 5_000).Select(i => client.InvokeAsync<long>("default", "sum", ("a", i), ("b", 0)).AsTask()).ToArray();
        Assert.Equal(Enumerable.Range(0, 5_000).Select(i => (long)i), await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.All(client.Pools[0].Connections, c => Assert.Equal(0, c.InFlight));
        Assert.InRange(server.Connections.Count, 1, 2);
    }

    [Fact]
    public async Task Cancelled_waiters_do_not_leak_slots()
    {
        var functions = FakeFunctions.Standard().AddRaw("/default/hang", (_, _) => Task.CompletedTask);
        await using var server = FakeRapServer.Start(functions.HandleAsync);
        await using var client = RapClient.Create(server.Endpoint, o =>
        {
            o.MaxInFlightPerConnection = 1;
            o.MaxConnectionsPerEndpoint = 1;
        });
        using var cancellation = new CancellationTokenSource();
        var calls = Enumerable.Range(0, 100).Select(_ => client.InvokeAsync<int>("default", "hang", null, null, cancellation.Token).AsTask()).ToArray();
        await Eventually.TrueAsync(() => server.Connections.Count == 1 && server.Connections[0].Received.Any(f => f.Type == 101), "one call reached the server");
        await cancellation.CancelAsync();
        foreach (var call in calls)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        }

        Assert.Equal(0, client.Pools[0].Connections.Single().InFlight);
        Assert.Equal(2, await client.InvokeAsync<int>("default", "sum", ("a", 1), ("b", 1)));
    }

    [Fact]
    public async Task Calls_are_spread_over_several_endpoints()
    {
        await using var first = FakeRapServer.Start(FakeFunctions.Standard().HandleAsync);
        await using var second = FakeRapServer.Start(FakeFunctions.Standard().HandleAsync);
        var options = new RapClientOptions();
        options.Endpoints.Add(first.Endpoint);
        options.Endpoints.Add(second.Endpoint);
        await using var client = new RapClient(options);
        await client.StartAsync();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(i + 2, await client.InvokeAsync<int>("default", "sum", ("a", i), ("b", 2)));
        }

        Assert.True(first.Connections.Sum(c => c.Received.Count(f => f.Type == 101)) > 0);
        Assert.True(second.Connections.Sum(c => c.Received.Count(f => f.Type == 101)) > 0);
    }

    [Fact]
    public async Task The_client_reconnects_after_the_server_restarts()
    {
        var server = FakeRapServer.Start(FakeFunctions.Standard().HandleAsync);
        var port = server.Port;
        await using var client = RapClient.Create(server.Endpoint, o =>
        {
            o.ReconnectDelayMin = TimeSpan.FromMilliseconds(20);
            o.ReconnectDelayMax = TimeSpan.FromMilliseconds(200);
        });
        Assert.Equal(3, await client.InvokeAsync<int>("default", "sum", ("a", 1), ("b", 2)));
        await server.DisposeAsync();
        await Eventually.TrueAsync(() => client.GetConnectionCounts().Values.Single() == 0, "client noticed the closed connection");

        // While the server is down calls fail (they cannot connect within their timeout).
        await Assert.ThrowsAsync<RapConnectionException>(() =>
            client.InvokeAsync<int>("default", "sum", RapArgs.Of(("a", 1), ("b", 2)), RapCallOptions.WithTimeout(TimeSpan.FromMilliseconds(300))).AsTask());

        await using var restarted = FakeRapServer.Start(FakeFunctions.Standard().HandleAsync, port);
        Assert.Equal(11, await client.InvokeAsync<int>("default", "sum", ("a", 5), ("b", 6)));
        Assert.Single(restarted.Connections);
    }

    [Fact]
    public async Task A_connection_whose_pings_go_unanswered_is_retired_and_replaced()
    {
        await using var server = FakeRapServer.Start(FakeFunctions.Standard().HandleAsync);
        server.AnswerPings = false;
        await using var client = RapClient.Create(server.Endpoint, o =>
        {
            o.PingIntervalMin = TimeSpan.FromMilliseconds(30);
            o.PingIntervalMax = TimeSpan.FromMilliseconds(60);
            o.LivenessTimeout = TimeSpan.FromMilliseconds(300);
        });
        await client.StartAsync();
        var first = await server.AcceptedAsync();
        await first.Closed.WaitAsync(TimeSpan.FromSeconds(10));

        // The pings (three per round) were sent as rap sends them.
        var pings = first.Received.Where(f => f.Type == 103 && f.Target == "/_event/ping").ToList();
        Assert.True(pings.Count >= 3);
        Assert.All(pings, p => Assert.Equal(MessagePackValue.FromMap(Array.Empty<(string, MessagePackValue)>()), p.Body));

        server.AnswerPings = true;
        Assert.Equal(3, await client.InvokeAsync<int>("default", "sum", ("a", 1), ("b", 2)));
        Assert.True(server.Connections.Count >= 2);
    }
}
