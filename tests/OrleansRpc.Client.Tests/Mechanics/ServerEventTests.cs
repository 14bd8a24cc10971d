using OrleansRpc.Client.Tests.Infrastructure;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Tests.Mechanics;

public sealed class ServerEventTests
{
    [Fact]
    public async Task Close_fails_pending_calls_with_the_reason_and_the_pool_reconnects()
    {
        var functions = FakeFunctions.Standard().AddRaw("/default/hang", async (c, f) =>
        {
            await c.SendAsync(Frames.ServerEvent(4, "CLOSE", "recv pong timeout"));
            await c.CloseAsync();
        });
        await using var server = FakeRapServer.Start(functions.HandleAsync);
        await using var client = RapClient.Create(server.Endpoint);

        var error = await Assert.ThrowsAsync<RapConnectionException>(() => client.InvokeAsync<int>("default", "hang").AsTask());
        Assert.Equal("recv pong timeout", error.CloseReason);

        Assert.Equal(3, await client.InvokeAsync<int>("default", "sum", ("a", 1), ("b", 2)));
        Assert.Equal(2, server.Connections.Count);
    }

    [Fact]
    public async Task Shutdown_drains_in_flight_calls_then_the_client_closes_the_socket()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var functions = FakeFunctions.Standard().AddRaw("/default/slow", (c, f) =>
        {
            _ = Task.Run(async () =>
            {
                await c.SendAsync(Frames.ServerEvent(4, "shutdown", MessagePackValue.FromMap(("close_timeout", 8))));
                await release.Task;
                await c.SendAsync(Frames.Result(f.Id, 1500));
            });
            return Task.CompletedTask;
        });
        await using var server = FakeRapServer.Start(functions.HandleAsync);
        await using var client = RapClient.Create(server.Endpoint);

        await client.StartAsync();
        Assert.Equal(1, client.GetConnectionCounts().Values.Single());
        var draining = await server.AcceptedAsync();
        var slow = client.InvokeAsync<int>("default", "slow").AsTask();
        await Eventually.TrueAsync(
            () => client.Pools[0].Connections.All(c => c.LocalEndPoint!.Port != draining.RemoteEndPoint.Port),
            "the draining connection left the pool");

        // New calls do not use the draining connection: they open a new one.
        Assert.Equal(5, await client.InvokeAsync<int>("default", "sum", ("a", 2), ("b", 3)));
        Assert.Equal(2, server.Connections.Count);
        Assert.False(draining.Closed.IsCompleted);

        // The in-flight call still gets its answer; then the client closes the drained socket.
        release.SetResult();
        Assert.Equal(1500, await slow);
        await draining.Closed.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Shutdown_fails_calls_still_running_when_close_timeout_expires()
    {
        var functions = FakeFunctions.Standard().AddRaw("/default/never", (c, f) =>
            c.SendAsync(Frames.ServerEvent(4, "shutdown", MessagePackValue.FromMap(("close_timeout", 0)))));
        await using var server = FakeRapServer.Start(functions.HandleAsync);
        await using var client = RapClient.Create(server.Endpoint);
        await Assert.ThrowsAsync<RapServerShutdownException>(() => client.InvokeAsync<int>("default", "never").AsTask());
    }

    [Fact]
    public async Task Server_pings_are_answered_with_the_same_id_and_unknown_events_are_ignored()
    {
        await using var server = FakeRapServer.Start(FakeFunctions.Standard().HandleAsync);
        await using var client = RapClient.Create(server.Endpoint);
        await client.StartAsync();
        var connection = await server.AcceptedAsync();
        await connection.SendAsync(Frames.ServerEvent(8, "Server Error", "ServerContext<7> has been closed"));
        await connection.SendAsync(Frames.ServerEvent(6, "ping", ""));
        await Eventually.TrueAsync(() => connection.Received.Any(f => f.Type == 203), "ping answered");
        var answer = connection.Received.Single(f => f.Type == 203);
        Assert.Equal("94cccb0681a6746172676574ac2f5f6576656e742f70696e67a0", Convert.ToHexStringLower(answer.Bytes));
        Assert.Equal(3, await client.InvokeAsync<int>("default", "sum", ("a", 1), ("b", 2)));
    }

    [Fact]
    public async Task A_declare_refused_by_the_server_fails_the_start()
    {
        await using var server = FakeRapServer.Start(
            (c, f) => f.Type == 103 ? c.SendAsync(Frames.Error(103, f.Id, 1007, "key error")) : Task.CompletedTask,
            rawHandler: true);
        await using var client = RapClient.Create(server.Endpoint, o =>
        {
            o.Crypto = new RapClientCryptoOptions { KeyId = "test", Secret = "wrongwrongwrong!" };
            o.ConnectTimeout = TimeSpan.FromSeconds(5);
        });
        var error = await Assert.ThrowsAsync<RapCryptoException>(() => client.StartAsync());
        Assert.Equal("key error", error.RemoteMessage);
    }

    [Fact]
    public async Task A_declare_answer_without_conn_id_fails_the_connection()
    {
        await using var server = FakeRapServer.Start(
            (c, f) => f.Type == 103 ? c.SendAsync(Frames.Head(103, f.Id, Frames.EmptyMap)) : Task.CompletedTask,
            rawHandler: true);
        await using var client = RapClient.Create(server.Endpoint);
        await Assert.ThrowsAsync<RapConnectionException>(() => client.StartAsync());
    }
}
