using OrleansRpc.Client.Tests.Infrastructure;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Tests.Mechanics;

public sealed class StreamingTests
{
    /// <summary>A HEAD channel handler: count_up is a generator, echo_channel echoes, raise_channel fails.</summary>
    private static async Task ChannelHandler(FakeConnection connection, ServerFrame frame)
    {
        if (frame.Type != 102)
        {
            return;
        }

        switch (frame.LifeCycle)
        {
            case "DECLARE" when frame.Target is "/default/count_up" or "/default/echo_channel" or "/default/raise_gen":
                await connection.SendAsync(Frames.Channel(frame.Id, "DECLARE", MessagePackValue.Nil));
                break;
            case "DECLARE":
                await connection.SendAsync(Frames.Error(102, frame.Id, 404, "Not found func. name: " + frame.Target));
                break;
            case "MSG":
                var declare = connection.Received.First(f => f.Id == frame.Id && f.LifeCycle == "DECLARE");
                if (declare.Target == "/default/count_up")
                {
                    var n = frame.Body["n"].AsInt64();
                    for (var i = 0; i < n; i++)
                    {
                        await connection.SendAsync(Frames.Channel(frame.Id, "MSG", i));
                    }

                    if (!frame.Body.TryGetValue("endless", out _))
                    {
                        await connection.SendAsync(Frames.Channel(frame.Id, "DROP", MessagePackValue.Nil));
                    }
                }
                else if (declare.Target == "/default/raise_gen")
                {
                    await connection.SendAsync(Frames.Channel(frame.Id, "MSG", 0));
                    await connection.SendAsync(Frames.Error(102, frame.Id, 301, MessagePackValue.FromArray("ValueError", "boom")));
                    await connection.SendAsync(Frames.Channel(frame.Id, "DROP", MessagePackValue.Nil));
                }
                else if (frame.Body.Kind == MessagePackValueKind.String && frame.Body.AsString() == "bye")
                {
                    await connection.SendAsync(Frames.Channel(frame.Id, "DROP", MessagePackValue.Nil));
                }
                else
                {
                    await connection.SendAsync(Frames.Channel(frame.Id, "MSG", frame.Body));
                }

                break;
            case "DROP":
                await connection.SendAsync(Frames.Channel(frame.Id, "DROP", MessagePackValue.Nil));
                break;
        }
    }

    [Fact]
    public async Task A_generator_yields_every_item_until_drop()
    {
        await using var server = FakeRapServer.Start(ChannelHandler);
        await using var client = RapClient.Create(server.Endpoint);
        var items = new List<int>();
        await foreach (var item in client.StreamAsync<int>("default", "count_up", RapArgs.Of(("n", 200))))
        {
            items.Add(item);
        }

        Assert.Equal(Enumerable.Range(0, 200), items);
        var frames = server.Connections[0].Received.Where(f => f.Type == 102).ToList();
        Assert.Equal(2, frames.Count);
        Assert.Equal(Convert.ToHexStringLower(Frames.Head(102, frames[0].Id, Frames.Header(("channel_life_cycle", "DECLARE"), ("target", "/default/count_up")), Frames.EmptyMap)),
            Convert.ToHexStringLower(frames[0].Bytes));
        Assert.Equal(MessagePackValue.FromMap(("n", 200)), frames[1].Body);
    }

    [Fact]
    public async Task Breaking_out_of_a_generator_early_sends_drop_so_the_server_can_stop_it()
    {
        await using var server = FakeRapServer.Start(ChannelHandler);
        await using var client = RapClient.Create(server.Endpoint);
        var items = new List<int>();
        await foreach (var item in client.StreamAsync<int>("default", "count_up", RapArgs.Of(("n", 500), ("endless", true))))
        {
            items.Add(item);
            if (items.Count == 3)
            {
                break;
            }
        }

        Assert.Equal([0, 1, 2], items);
        var connection = server.Connections[0];
        await Eventually.TrueAsync(() => connection.Received.Any(f => f.Type == 102 && f.LifeCycle == "DROP"), "DROP sent");
        var drop = connection.Received.Single(f => f.LifeCycle == "DROP");
        Assert.Equal(connection.Received.First(f => f.LifeCycle == "DECLARE").Id, drop.Id);
        Assert.Equal(MessagePackValue.Nil, drop.Body);

        // The slot was returned: the connection still serves calls and holds nothing.
        await Eventually.TrueAsync(() => client.Pools[0].Connections.Single().InFlight == 0, "the generator released its slot");
    }

    [Fact]
    public async Task A_generator_error_surfaces_from_the_loop_after_the_items_before_it()
    {
        await using var server = FakeRapServer.Start(ChannelHandler);
        await using var client = RapClient.Create(server.Endpoint);
        var items = new List<int>();
        var error = await Assert.ThrowsAsync<RapInvokeException>(async () =>
        {
            await foreach (var item in client.StreamAsync<int>("default", "raise_gen"))
            {
                items.Add(item);
            }
        });
        Assert.Equal([0], items);
        Assert.Equal("ValueError", error.PythonExceptionName);
        Assert.Equal("boom", error.RemoteMessage);
    }

    [Fact]
    public async Task An_unknown_generator_or_channel_fails_with_not_found()
    {
        await using var server = FakeRapServer.Start(ChannelHandler);
        await using var client = RapClient.Create(server.Endpoint);
        await Assert.ThrowsAsync<RapFunctionNotFoundException>(async () =>
        {
            await foreach (var _ in client.StreamAsync<int>("default", "nope"))
            {
            }
        });
        await Assert.ThrowsAsync<RapFunctionNotFoundException>(() => client.OpenChannelAsync("default", "nope"));
    }

    [Fact]
    public async Task A_channel_reads_writes_and_iterates_until_the_server_drops_it()
    {
        await using var server = FakeRapServer.Start(ChannelHandler);
        await using var client = RapClient.Create(server.Endpoint);
        await using var channel = await client.OpenChannelAsync("default", "echo_channel");
        Assert.Equal(RapChannelState.Open, channel.State);

        await channel.WriteAsync("hi");
        Assert.Equal("hi", await channel.ReadAsync<string>());
        await channel.WriteAsync(new Dictionary<string, int[]> { ["k"] = [1, 2] });
        var echoedMap = await channel.ReadAsync<Dictionary<string, int[]>>();
        Assert.Equal(new[] { 1, 2 }, echoedMap["k"]);
        await channel.WriteAsync(1);
        await channel.WriteAsync(2);
        await channel.WriteAsync("bye");

        var rest = new List<MessagePackValue>();
        await foreach (var item in channel.ReadAllAsync<MessagePackValue>())
        {
            rest.Add(item);
        }

        Assert.Equal(new long[] { 1, 2 }, rest.Select(v => v.AsInt64()));
        Assert.Equal(RapChannelState.ClosedByServer, channel.State);
        Assert.True(channel.IsClosed);
        await Assert.ThrowsAsync<RapChannelClosedException>(() => channel.ReadAsync<string>().AsTask());
        await Assert.ThrowsAsync<RapChannelClosedException>(() => channel.WriteAsync("late").AsTask());
        await channel.Completion;

        var sent = server.Connections[0].Received.Where(f => f.Type == 102 && f.LifeCycle == "MSG").First();
        Assert.Equal("94662f81b26368616e6e656c5f6c6966655f6379636c65a34d5347a26869",
            Convert.ToHexStringLower(MessagePackValue.FromArray(sent.Value[0], 47, sent.Value[2], sent.Value[3]).ToArray()));
    }

    [Fact]
    public async Task Closing_a_channel_sends_drop_and_waits_for_the_servers_drop()
    {
        await using var server = FakeRapServer.Start(ChannelHandler);
        await using var client = RapClient.Create(server.Endpoint);
        var channel = await client.OpenChannelAsync("default", "echo_channel");
        await channel.WriteAsync("x");
        Assert.Equal("x", await channel.ReadAsync<string>());
        await channel.CloseAsync();

        Assert.Equal(RapChannelState.ClosedByClient, channel.State);
        Assert.True(channel.Completion.IsCompletedSuccessfully);
        var drop = server.Connections[0].Received.Single(f => f.LifeCycle == "DROP");
        Assert.Equal(Convert.ToHexStringLower(Frames.Channel(drop.Id, "DROP", MessagePackValue.Nil)), Convert.ToHexStringLower(drop.Bytes));
        await Assert.ThrowsAsync<RapChannelClosedException>(() => channel.WriteAsync("after close").AsTask());
        await channel.CloseAsync();
    }

    [Fact]
    public async Task Channel_writes_wait_when_the_server_stops_reading()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = FakeRapServer.Start(async (connection, frame) =>
        {
            if (frame.Type == 102 && frame.LifeCycle == "DECLARE")
            {
                await connection.SendAsync(Frames.Channel(frame.Id, "DECLARE", MessagePackValue.Nil));
            }
            else if (frame.Type == 102)
            {
                // Blocking the handler stops this connection's read loop: the client's socket buffer fills up.
                await gate.Task;
            }
        });
        await using var client = RapClient.Create(server.Endpoint);
        var channel = await client.OpenChannelAsync("default", "sink");
        var payload = new byte[64 * 1024];
        Task? pending = null;
        for (var i = 0; i < 2000 && pending is null; i++)
        {
            var write = channel.WriteAsync(payload).AsTask();
            if (!write.IsCompleted)
            {
                pending = write;
            }
        }

        Assert.NotNull(pending);
        gate.SetResult();
        await pending.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_channel_fails_when_its_connection_is_lost()
    {
        await using var server = FakeRapServer.Start(ChannelHandler);
        await using var client = RapClient.Create(server.Endpoint);
        var channel = await client.OpenChannelAsync("default", "echo_channel");
        var read = channel.ReadAsync<string>().AsTask();
        await server.Connections[0].CloseAsync();
        await Assert.ThrowsAsync<RapConnectionException>(() => read);
        Assert.Equal(RapChannelState.Faulted, channel.State);
    }
}
