using OrleansRpc.Protocol;

namespace OrleansRpc.Server.Tests.Channels;

/// <summary>Channels through the gateway's seam (<see cref="RapChannelProxy"/>) into their grain on a real silo.</summary>
public sealed class ChannelTests
{
    private sealed class Probe
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Finished;

        public bool SawAbort;
    }

    private static (TestServer Server, Probe Probe) Echo(Func<IRapChannel, Probe, Task>? body = null, Action<RapServerOptions>? configure = null)
    {
        var probe = new Probe();
        var server = new TestServer(r => r.Register(async (IRapChannel channel) =>
        {
            probe.Started.TrySetResult();
            try
            {
                if (body is not null)
                {
                    await body(channel, probe);
                    return;
                }

                await foreach (var message in channel)
                {
                    await channel.WriteAsync(message);
                }
            }
            finally
            {
                probe.SawAbort = channel.Aborted.IsCancellationRequested;
                Interlocked.Increment(ref probe.Finished);
            }
        }, "echo_channel"), configure);
        return (server, probe);
    }

    private static Task HandlerFinished(Probe probe) => Poll.UntilAsync(() => Volatile.Read(ref probe.Finished) == 1, "the handler to return");

    [Fact]
    public async Task A_drop_that_arrives_after_the_channel_ended_is_ignored_without_throwing()
    {
        // The gateway's pump finishes a channel when its outbox ends; a client drop or a lost connection queued before
        // that may still reach it afterwards (it once crashed the process).
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (server, probe) = Echo((_, _) => release.Task);
        await using var _s = server;
        await using var channel = ChannelDriver.Open(server, "echo_channel", channelId: "7");
        await probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        release.SetResult();
        Assert.Empty(await channel.ReadToEndAsync());
        Assert.Equal(RapChannelEndReason.HandlerCompleted, channel.End!.EndReason);

        Assert.False(channel.Drop());
        Assert.False(channel.Abort());
        Assert.Equal(RapChannelEndReason.HandlerCompleted, await channel.Completion);
        await HandlerFinished(probe);
        Assert.False(probe.SawAbort);
    }

    [Fact]
    public async Task Messages_are_echoed_in_order()
    {
        var (server, _) = Echo();
        await using var _s = server;
        await using var channel = ChannelDriver.Open(server, "echo_channel", channelId: "7");
        for (var i = 0; i < 5; i++)
        {
            await channel.DeliverAsync(i);
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(i, (await channel.ReadAsync()).AsInt64());
        }

        Assert.True(channel.Drop());
        Assert.Equal(RapChannelEndReason.PeerDropped, await channel.Completion.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Empty(await channel.ReadToEndAsync());
        Assert.Equal(RapChannelEndReason.PeerDropped, channel.End!.EndReason);
    }

    [Fact]
    public async Task Deliveries_started_together_reach_the_handler_in_the_order_they_were_numbered()
    {
        var (server, _) = Echo();
        await using var _s = server;
        await using var channel = ChannelDriver.Open(server, "echo_channel");

        // Not awaited one by one: the grain calls may overtake each other; the channel host restores their order.
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => channel.DeliverAsync(i)).ToArray()).WaitAsync(TimeSpan.FromSeconds(20));
        var received = new List<long>();
        for (var i = 0; i < 40; i++)
        {
            received.Add((await channel.ReadAsync()).AsInt64());
        }

        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), received);
        Assert.True(channel.Drop());
    }

    [Fact]
    public async Task Peer_drop_ends_once_and_cancels_the_handler()
    {
        var (server, probe) = Echo();
        await using var _s = server;
        await using var channel = ChannelDriver.Open(server, "echo_channel");
        await probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(channel.Drop());
        Assert.False(channel.Drop());
        Assert.False(channel.Abort());
        Assert.Equal(RapChannelEndReason.PeerDropped, await channel.Completion.WaitAsync(TimeSpan.FromSeconds(20)));
        await HandlerFinished(probe);
        Assert.True(probe.SawAbort);

        // The outbox ends with the one end event; a late message is dropped, not delivered.
        Assert.Empty(await channel.ReadToEndAsync());
        Assert.Equal(RapChannelEndReason.PeerDropped, channel.End!.EndReason);
        Assert.Null(channel.End.Fault);
        await channel.DeliverAsync(1).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(1, Volatile.Read(ref probe.Finished));
    }

    [Fact]
    public async Task Connection_loss_ends_once_through_the_connection_token()
    {
        var (server, probe) = Echo();
        await using var _s = server;
        using var connection = new CancellationTokenSource();
        await using var channel = ChannelDriver.Open(server, "echo_channel", channelId: "2", connectionClosed: connection.Token);
        await probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await channel.DeliverAsync("queued");
        await connection.CancelAsync();
        Assert.Equal(RapChannelEndReason.ConnectionLost, await channel.Completion.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.False(channel.Drop());
        await HandlerFinished(probe);
        Assert.True(probe.SawAbort);
    }

    [Fact]
    public async Task Handler_return_ends_the_channel_without_aborting()
    {
        var (server, probe) = Echo(async (channel, _) =>
        {
            var n = (await channel.ReadAsync()).AsInt64();
            for (var i = 0; i < n; i++)
            {
                await channel.WriteAsync(i);
            }
        });
        await using var _s = server;
        await using var channel = ChannelDriver.Open(server, "echo_channel", channelId: "3");
        await channel.DeliverAsync(3);

        var received = await channel.ReadToEndAsync();

        Assert.Equal([0L, 1L, 2L], received.Select(m => m.AsInt64()));
        Assert.Equal(RapChannelEndReason.HandlerCompleted, channel.End!.EndReason);
        Assert.Equal(RapChannelEndReason.HandlerCompleted, await channel.Completion);
        await HandlerFinished(probe);
        Assert.False(probe.SawAbort);
        Assert.False(channel.Drop());
    }

    [Fact]
    public async Task Handler_exception_ends_the_channel_as_faulted()
    {
        var (server, probe) = Echo(async (channel, _) =>
        {
            await channel.ReadAsync();
            throw new ArgumentException("bad");
        });
        await using var _s = server;
        await using var channel = ChannelDriver.Open(server, "echo_channel", channelId: "4");
        await channel.DeliverAsync(1);

        Assert.Empty(await channel.ReadToEndAsync());
        Assert.Equal(RapChannelEndReason.HandlerFaulted, channel.End!.EndReason);
        Assert.Equal("ValueError", channel.End.Fault);
        Assert.Equal(RapChannelEndReason.HandlerFaulted, await channel.Completion);
        Assert.False(channel.Abort());
        await HandlerFinished(probe);
    }

    [Fact]
    public async Task CloseAsync_by_the_handler_ends_the_channel_once()
    {
        var afterClose = new TaskCompletionSource<(Type? Write, Type? Read, bool Closed)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var (server, probe) = Echo(async (channel, _) =>
        {
            await channel.CloseAsync();
            Type? write = null, read = null;
            try
            {
                await channel.WriteAsync(1);
            }
            catch (Exception ex)
            {
                write = ex.GetType();
            }

            try
            {
                await channel.ReadAsync();
            }
            catch (Exception ex)
            {
                read = ex.GetType();
            }

            afterClose.SetResult((write, read, channel.IsClosed));
        });
        await using var _s = server;
        await using var channel = ChannelDriver.Open(server, "echo_channel", channelId: "5");

        Assert.Empty(await channel.ReadToEndAsync());
        Assert.Equal(RapChannelEndReason.HandlerCompleted, channel.End!.EndReason);
        Assert.Equal(RapChannelEndReason.HandlerCompleted, await channel.Completion);
        Assert.Equal((typeof(RapChannelClosedException), typeof(RapChannelClosedException), true), await afterClose.Task.WaitAsync(TimeSpan.FromSeconds(20)));
        await HandlerFinished(probe);
        Assert.False(probe.SawAbort);
    }

    [Fact]
    public async Task A_slow_handler_makes_delivery_wait()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var read = 0;
        await using var server = new TestServer(
            r => r.Register(async (IRapChannel channel) =>
            {
                await release.Task;
                await foreach (var _ in channel)
                {
                    Interlocked.Increment(ref read);
                }
            }, "slow"),
            o => o.ChannelBufferCapacity = 2);
        await using var channel = ChannelDriver.Open(server, "slow", TestServer.Context(RapVersion.V0538), "6");
        await channel.DeliverAsync(1).WaitAsync(TimeSpan.FromSeconds(20));
        await channel.DeliverAsync(2).WaitAsync(TimeSpan.FromSeconds(20));

        // The inbox (capacity 2) is full: the third delivery is held until the handler reads.
        var third = channel.DeliverAsync(3);
        await Poll.HoldsAsync(() => !third.IsCompleted, "the third delivery waits while the inbox is full", TimeSpan.FromMilliseconds(300));
        release.SetResult();
        await third.WaitAsync(TimeSpan.FromSeconds(20));
        await Poll.UntilAsync(() => Volatile.Read(ref read) == 3, "the handler to read the three messages");
        Assert.True(channel.Drop());
        Assert.Equal(RapChannelEndReason.PeerDropped, await channel.Completion.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task A_slow_gateway_makes_the_handlers_writes_wait()
    {
        var written = 0;
        await using var server = new TestServer(
            r => r.Register(async (IRapChannel channel) =>
            {
                for (var i = 0; i < 100; i++)
                {
                    await channel.WriteAsync(i);
                    Interlocked.Increment(ref written);
                }
            }, "flood"),
            o => o.ChannelBufferCapacity = 4);
        await using var channel = ChannelDriver.Open(server, "flood");

        // Nobody reads the outbox: the handler is held a bounded distance ahead.
        await Poll.UntilAsync(() => Volatile.Read(ref written) >= 4, "the outbox to fill");
        await Poll.HoldsAsync(() => Volatile.Read(ref written) <= 4, "the handler stays within the outbox capacity", TimeSpan.FromMilliseconds(300));

        var received = await channel.ReadToEndAsync();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), received.Select(m => m.AsInt64()));
        Assert.Equal(RapChannelEndReason.HandlerCompleted, channel.End!.EndReason);
    }

    public enum EndCause
    {
        Drop,
        Return,
        Raise,
        ConnectionLoss,
    }

    [Theory]
    [InlineData(EndCause.Drop, RapChannelEndReason.PeerDropped)]
    [InlineData(EndCause.Return, RapChannelEndReason.HandlerCompleted)]
    [InlineData(EndCause.Raise, RapChannelEndReason.HandlerFaulted)]
    [InlineData(EndCause.ConnectionLoss, RapChannelEndReason.ConnectionLost)]
    public async Task A_channel_ends_exactly_once_whatever_ends_it(EndCause cause, RapChannelEndReason expected)
    {
        var handlerEnded = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var ends = 0;
        await using var server = new TestServer(r => r.Register(async (IRapChannel channel) =>
        {
            _ = channel.Completion.ContinueWith(_ => Interlocked.Increment(ref ends), TaskScheduler.Default);
            try
            {
                await foreach (var message in channel.WithCancellation(channel.Aborted))
                {
                    switch (message.AsString())
                    {
                        case "return":
                            return;
                        case "raise":
                            throw new InvalidOperationException("raised");
                        default:
                            await channel.WriteAsync(message);
                            break;
                    }
                }
            }
            finally
            {
                handlerEnded.TrySetResult(channel.Aborted.IsCancellationRequested);
            }
        }, "echo"));
        using var connection = new CancellationTokenSource();
        await using var channel = ChannelDriver.Open(server, "echo", channelId: "ch1", connectionClosed: connection.Token);

        await channel.DeliverAsync("hello");
        Assert.Equal("hello", (await channel.ReadAsync()).AsString());

        switch (cause)
        {
            case EndCause.Drop:
                Assert.True(channel.Drop());
                break;
            case EndCause.Return:
                await channel.DeliverAsync("return");
                break;
            case EndCause.Raise:
                await channel.DeliverAsync("raise");
                break;
            case EndCause.ConnectionLoss:
                await connection.CancelAsync();
                break;
        }

        // External ends cancel the handler; the handler's own end does not.
        var aborted = await handlerEnded.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(cause is EndCause.Drop or EndCause.ConnectionLoss, aborted);
        if (cause is not EndCause.ConnectionLoss)
        {
            // The outbox ends with one end event carrying the reason (a lost connection has nobody to read it); the
            // gateway's side completes when it reads it.
            Assert.Empty(await channel.ReadToEndAsync());
            Assert.Equal(expected, channel.End!.EndReason);
            Assert.Equal(cause == EndCause.Raise ? "RuntimeError" : null, channel.End.Fault);
        }

        Assert.Equal(expected, await channel.Completion.WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.False(channel.Drop());
        Assert.False(channel.Abort());
        await channel.DeliverAsync("late").WaitAsync(TimeSpan.FromSeconds(20));
        await Poll.UntilAsync(() => Volatile.Read(ref ends) == 1, "the channel's end");
        await Poll.HoldsAsync(() => Volatile.Read(ref ends) == 1, "the channel ends once", TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Channel_context_carries_the_function_and_the_session_when_the_handler_takes_one()
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var plain = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new TestServer(r =>
        {
            r.Register((IRapChannel channel, RapCallContext context, RapSession session) =>
            {
                seen.SetResult($"{context.Function!.Name}|{session.Id}|{ReferenceEquals(context.Session, session)}|{RapCallContext.Current == context}|{channel.Id}");
                return Task.CompletedTask;
            }, "ctx");
            r.Register((IRapChannel channel, RapCallContext context) =>
            {
                plain.SetResult($"{context.Function!.Name}|{context.Session is null}|{channel.Id}");
                return Task.CompletedTask;
            }, "plain");
        });
        await using var channel = ChannelDriver.Open(server, "ctx", TestServer.Context(RapVersion.V0538, sessionId: "s9"), "abc");
        Assert.Equal("ctx|s9|True|True|abc", await seen.Task.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Empty(await channel.ReadToEndAsync());
        Assert.Equal(RapChannelEndReason.HandlerCompleted, await channel.Completion);

        // Without a session parameter the handler runs in a channel grain of its own and sees no session.
        await using var other = ChannelDriver.Open(server, "plain", TestServer.Context(RapVersion.V0538, sessionId: "s9"), "def");
        Assert.Equal("plain|True|def", await plain.Task.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Empty(await other.ReadToEndAsync());
    }

    [Fact]
    public async Task A_handler_taking_the_session_shares_state_with_the_sessions_unary_calls()
    {
        await using var server = new TestServer(r =>
        {
            r.Register(async (IRapChannel channel, RapSession session) =>
            {
                await foreach (var message in channel)
                {
                    session.Items["last"] = message.AsString();
                    await channel.WriteAsync("ok");
                }
            }, "remember");
            r.Register((RapSession session) => session.Items.TryGetValue("last", out var v) ? (string?)v : null, "last");
        });
        var context = TestServer.Context(RapVersion.V0538, sessionId: "s-ch");
        await using var channel = ChannelDriver.Open(server, "remember", context);
        await channel.DeliverAsync("hello");
        Assert.Equal("ok", (await channel.ReadAsync()).AsString());
        var (result, value) = await TestServer.CallLegacy(server.Dispatcher, "default", "last", Msgpack.Array(), Msgpack.Map(), TestServer.Context(RapVersion.V0538, sessionId: "s-ch"));
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal("hello", value.AsString());
        Assert.True(channel.Drop());
    }
}
