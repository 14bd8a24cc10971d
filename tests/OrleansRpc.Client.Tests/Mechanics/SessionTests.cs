using OrleansRpc.Client.Tests.Infrastructure;

namespace OrleansRpc.Client.Tests.Mechanics;

public sealed class SessionTests
{
    private static RapClient CreateClient(FakeRapServer server) => RapClient.Create(server.Endpoint, o =>
    {
        // One call per connection forces the pool to spread calls, so pinning is observable.
        o.MaxInFlightPerConnection = 1;
        o.MaxConnectionsPerEndpoint = 3;
        o.GrowThreshold = 0.01;
    });

    [Fact]
    public async Task An_explicit_session_pins_its_calls_to_one_connection()
    {
        await using var server = FakeRapServer.Start(FakeFunctions.Standard().HandleAsync);
        await using var client = CreateClient(server);
        await using var session = client.CreateSession();

        var calls = Enumerable.Range(0, 20).Select(i => session.InvokeAsync<int>("default", "sum", RapArgs.Of(("a", i), ("b", 0))).AsTask()).ToList();
        Assert.Equal(Enumerable.Range(0, 20), await Task.WhenAll(calls));
        Assert.True(session.IsConnected);
        var used = server.Connections.Where(c => c.Received.Any(f => f.Type == 101)).ToList();
        Assert.Single(used);
        Assert.Equal(session.LocalEndPoint!.Port, used[0].RemoteEndPoint.Port);
    }

    [Fact]
    public async Task An_ambient_session_applies_to_calls_in_its_async_flow_only()
    {
        // "held" answers only once released, so calls stay in flight until the test has seen where they went.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var functions = FakeFunctions.Standard().AddRaw("/default/held", (connection, frame) =>
        {
            _ = AnswerWhenReleasedAsync();
            return Task.CompletedTask;

            async Task AnswerWhenReleasedAsync()
            {
                await release.Task;
                await connection.SendAsync(Frames.Result(frame.Id, 1));
            }
        });
        await using var server = FakeRapServer.Start(functions.HandleAsync);
        await using var client = CreateClient(server);
        await client.StartAsync();

        using (var session = client.BeginSession())
        {
            Assert.Same(session, RapClient.CurrentSession);
            var calls = Enumerable.Range(0, 10).Select(i => client.InvokeAsync<int>("default", "sum", ("a", i), ("b", 1)).AsTask()).ToList();
            await Task.WhenAll(calls);
            var port = session.LocalEndPoint!.Port;
            Assert.All(server.Connections.Where(c => c.Received.Any(f => f.Type == 101)), c => Assert.Equal(port, c.RemoteEndPoint.Port));
        }

        Assert.Null(RapClient.CurrentSession);

        // Outside the session the pool spreads concurrent calls again: with one call per connection, three calls
        // held by the server are in flight together only on three connections. (Quick calls could all finish on one
        // connection before the pool's new connections are up.)
        var spread = Enumerable.Range(0, 3).Select(_ => client.InvokeAsync<int>("default", "held").AsTask()).ToList();
        await Eventually.TrueAsync(
            () => server.Connections.Count(c => c.Received.Any(f => f.Target == "/default/held")) == 3, "the held calls spread over three connections");
        release.SetResult();
        int[] results = await Task.WhenAll(spread);
        Assert.Equal([1, 1, 1], results);
    }

    [Fact]
    public async Task A_session_whose_connection_closed_fails_instead_of_moving()
    {
        await using var server = FakeRapServer.Start(FakeFunctions.Standard().HandleAsync);
        await using var client = RapClient.Create(server.Endpoint);
        await using var session = client.CreateSession();
        Assert.Equal(2, await session.InvokeAsync<int>("default", "sum", RapArgs.Of(("a", 1), ("b", 1))));
        await server.Connections[0].CloseAsync();
        await Eventually.TrueAsync(() => !session.IsConnected, "session saw the close");
        await Assert.ThrowsAsync<RapConnectionException>(() => session.InvokeAsync<int>("default", "sum", RapArgs.Of(("a", 1), ("b", 1))).AsTask());
        Assert.Equal(2, await client.InvokeAsync<int>("default", "sum", ("a", 1), ("b", 1)));
    }
}
