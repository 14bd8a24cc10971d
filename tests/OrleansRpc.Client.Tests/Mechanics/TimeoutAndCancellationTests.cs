using OrleansRpc.Client.Tests.Infrastructure;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Tests.Mechanics;

public sealed class TimeoutAndCancellationTests
{
    [Fact]
    public async Task A_timed_out_call_frees_its_slot_and_its_late_answer_is_dropped()
    {
        var held = new TaskCompletionSource<(FakeConnection Connection, long Id)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var functions = FakeFunctions.Standard().AddRaw("/default/hang", (c, f) =>
        {
            held.TrySetResult((c, f.Id));
            return Task.CompletedTask;
        });
        await using var server = FakeRapServer.Start(functions.HandleAsync);
        await using var client = RapClient.Create(server.Endpoint, o =>
        {
            o.MaxInFlightPerConnection = 1;
            o.MaxConnectionsPerEndpoint = 1;
        });

        // Connected first: the call's timeout also bounds getting a connection, and a slow handshake (a loaded
        // machine) would end the call as "no connection" before it was ever sent.
        await client.StartAsync();
        await Assert.ThrowsAsync<RapTimeoutException>(() =>
            client.InvokeAsync<int>("default", "hang", null, RapCallOptions.WithTimeout(TimeSpan.FromMilliseconds(100))).AsTask());

        // With a cap of one call per connection and one connection, the next call only runs if the slot was freed.
        var (connection, lateId) = await held.Task;
        Assert.Equal(2, await client.InvokeAsync<int>("default", "sum", ("a", 1), ("b", 1)));

        // The late answer arrives for an id nobody waits for any more; it must not disturb later calls.
        await connection.SendAsync(Frames.Result(lateId, 999));
        Assert.Equal(4, await client.InvokeAsync<int>("default", "sum", ("a", 2), ("b", 2)));
        Assert.Single(server.Connections);
    }

    [Fact]
    public async Task A_cancelled_call_frees_its_slot_and_its_late_answer_is_dropped()
    {
        var held = new TaskCompletionSource<(FakeConnection Connection, long Id)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var functions = FakeFunctions.Standard().AddRaw("/default/hang", (c, f) =>
        {
            held.TrySetResult((c, f.Id));
            return Task.CompletedTask;
        });
        await using var server = FakeRapServer.Start(functions.HandleAsync);
        await using var client = RapClient.Create(server.Endpoint, o =>
        {
            o.MaxInFlightPerConnection = 1;
            o.MaxConnectionsPerEndpoint = 1;
        });

        using var cancellation = new CancellationTokenSource();
        var call = client.InvokeAsync<int>("default", "hang", null, null, cancellation.Token).AsTask();
        var (connection, lateId) = await held.Task;
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        Assert.Equal(2, await client.InvokeAsync<int>("default", "sum", ("a", 1), ("b", 1)));
        await connection.SendAsync(Frames.Result(lateId, 999));
        Assert.Equal(6, await client.InvokeAsync<int>("default", "sum", ("a", 3), ("b", 3)));
    }

    [Fact]
    public async Task Waiting_for_a_slot_honours_cancellation()
    {
        var functions = FakeFunctions.Standard().AddRaw("/default/hang", (_, _) => Task.CompletedTask);
        await using var server = FakeRapServer.Start(functions.HandleAsync);
        await using var client = RapClient.Create(server.Endpoint, o =>
        {
            o.MaxInFlightPerConnection = 1;
            o.MaxConnectionsPerEndpoint = 1;
        });
        using var first = new CancellationTokenSource();
        var hanging = client.InvokeAsync<int>("default", "hang", null, null, first.Token).AsTask();
        await Eventually.TrueAsync(() => server.Connections.Count == 1 && server.Connections[0].Received.Any(f => f.Type == 101), "first call sent");

        using var second = new CancellationTokenSource();
        var queued = client.InvokeAsync<int>("default", "sum", RapArgs.Of(("a", 1), ("b", 1)), null, second.Token).AsTask();
        await second.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        Assert.Single(server.Connections[0].Received, f => f.Type == 101);

        await first.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hanging);
        Assert.Equal(2, await client.InvokeAsync<int>("default", "sum", ("a", 1), ("b", 1)));
    }

    [Fact]
    public async Task An_already_passed_deadline_fails_without_waiting_for_the_server()
    {
        await using var server = FakeRapServer.Start(new FakeFunctions().AddRaw("/default/hang", (_, _) => Task.CompletedTask).HandleAsync);
        await using var client = RapClient.Create(server.Endpoint);
        await client.StartAsync();
        await Assert.ThrowsAnyAsync<TimeoutException>(() =>
            client.InvokeAsync<MessagePackValue>("default", "hang", null, new RapCallOptions { Deadline = DateTimeOffset.UtcNow.AddSeconds(-1) }).AsTask());
    }
}
