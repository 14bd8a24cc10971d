using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;

namespace OrleansRpc.Server.Tests.Channels;

public sealed class ChannelTests
{
    private sealed class Probe
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Finished;

        public bool SawAbort;
    }

    private static (TestServer Server, RapFunctionDescriptor Function, Probe Probe) Echo(Func<IRapChannel, Probe, Task>? body = null)
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
        }, "echo_channel"));
        return (server, server.Registry.Find("default", "echo_channel", RapFunctionKind.Channel)!, probe);
    }

    [Fact]
    public async Task A_drop_that_arrives_after_the_channel_was_disposed_is_ended_without_throwing()
    {
        // The gateway disposes a channel when its pump ends; a client drop or a lost connection queued before that
        // may still reach it (seen as a process crash: the cancellation source was already disposed).
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (server, function, probe) = Echo((_, _) => release.Task);
        using var _s = server;
        var channel = server.Dispatcher.OpenChannel(function, TestServer.Context(), "7");
        await probe.Started.Task;

        channel.Dispose();

        Assert.True(channel.Drop());
        Assert.False(channel.Abort());
        release.SetResult();
    }

    [Fact]
    public async Task Messages_are_echoed_in_order()
    {
        var (server, function, _) = Echo();
        using var _s = server;
        using var channel = server.Dispatcher.OpenChannel(function, TestServer.Context(), "7");
        for (var i = 0; i < 5; i++)
        {
            await channel.DeliverAsync(i);
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(i, (await channel.Outgoing.ReadAsync()).AsInt64());
        }

        Assert.True(channel.Drop());
        Assert.Equal(RapChannelEndReason.PeerDropped, await channel.Completion);
    }

    [Fact]
    public async Task Peer_drop_ends_once_and_cancels_the_handler()
    {
        var (server, function, probe) = Echo();
        using var _s = server;
        using var channel = server.Dispatcher.OpenChannel(function, TestServer.Context(), "1");
        await probe.Started.Task;
        Assert.True(channel.Drop());
        Assert.False(channel.Drop());
        Assert.False(channel.Abort());
        await channel.HandlerTask;
        Assert.Equal(RapChannelEndReason.PeerDropped, await channel.Completion);
        Assert.Equal(1, probe.Finished);
        Assert.True(probe.SawAbort);
        Assert.False(await channel.Outgoing.WaitToReadAsync());
        await Assert.ThrowsAsync<RapChannelClosedException>(async () => await channel.DeliverAsync(1));
    }

    [Fact]
    public async Task Connection_loss_ends_once_through_the_connection_token()
    {
        var (server, function, probe) = Echo();
        using var _s = server;
        using var connection = new CancellationTokenSource();
        using var channel = server.Dispatcher.OpenChannel(function, TestServer.Context(), "2", connection.Token);
        await probe.Started.Task;
        await channel.DeliverAsync("queued");
        await connection.CancelAsync();
        await channel.HandlerTask;
        Assert.Equal(RapChannelEndReason.ConnectionLost, await channel.Completion);
        Assert.False(channel.Drop());
        Assert.Equal(1, probe.Finished);
        Assert.True(probe.SawAbort);
    }

    [Fact]
    public async Task Handler_return_ends_the_channel_without_aborting()
    {
        var (server, function, probe) = Echo(async (channel, _) =>
        {
            var n = (await channel.ReadAsync()).AsInt64();
            for (var i = 0; i < n; i++)
            {
                await channel.WriteAsync(i);
            }
        });
        using var _s = server;
        using var channel = server.Dispatcher.OpenChannel(function, TestServer.Context(), "3");
        await channel.DeliverAsync(3);
        var received = new List<long>();
        await foreach (var item in channel.Outgoing.ReadAllAsync())
        {
            received.Add(item.AsInt64());
        }

        Assert.Equal([0L, 1L, 2L], received);
        Assert.Equal(RapChannelEndReason.HandlerCompleted, await channel.Completion);
        await channel.HandlerTask;
        Assert.False(probe.SawAbort);
        Assert.False(channel.Drop());
        Assert.Equal(1, probe.Finished);
    }

    [Fact]
    public async Task Handler_exception_ends_the_channel_as_faulted()
    {
        var (server, function, probe) = Echo(async (channel, _) =>
        {
            await channel.ReadAsync();
            throw new ArgumentException("bad");
        });
        using var _s = server;
        using var channel = server.Dispatcher.OpenChannel(function, TestServer.Context(), "4");
        await channel.DeliverAsync(1);
        Assert.Equal(RapChannelEndReason.HandlerFaulted, await channel.Completion);
        Assert.IsType<ArgumentException>(channel.Fault);
        Assert.False(channel.Abort());
        Assert.Equal(1, probe.Finished);
    }

    [Fact]
    public async Task CloseAsync_by_the_handler_ends_the_channel_once()
    {
        var (server, function, probe) = Echo(async (channel, _) =>
        {
            await channel.CloseAsync();
            await Assert.ThrowsAsync<RapChannelClosedException>(async () => await channel.WriteAsync(1));
            await Assert.ThrowsAsync<RapChannelClosedException>(async () => await channel.ReadAsync());
        });
        using var _s = server;
        using var channel = server.Dispatcher.OpenChannel(function, TestServer.Context(), "5");
        Assert.Equal(RapChannelEndReason.HandlerCompleted, await channel.Completion);
        await channel.HandlerTask;
        Assert.Equal(1, probe.Finished);
        Assert.False(probe.SawAbort);
    }

    [Fact]
    public async Task A_slow_handler_makes_delivery_wait()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new Probe();
        using var server = new TestServer(
            r => r.Register(async (IRapChannel channel) =>
            {
                await release.Task;
                await foreach (var _ in channel)
                {
                }
            }, "slow"),
            o => o.ChannelBufferCapacity = 2);
        var function = server.Registry.Find("default", "slow", RapFunctionKind.Channel)!;
        using var channel = server.Dispatcher.OpenChannel(function, TestServer.Context(RapVersion.V0538), "6");
        await channel.DeliverAsync(1);
        await channel.DeliverAsync(2);
        var third = channel.DeliverAsync(3).AsTask();
        await Task.Delay(100);
        Assert.False(third.IsCompleted);
        release.SetResult();
        await third;
        channel.Drop();
        await channel.HandlerTask;
        _ = probe;
    }

    [Fact]
    public async Task Channel_context_carries_the_function_and_session()
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new TestServer(r => r.Register((IRapChannel channel, RapCallContext context) =>
        {
            seen.SetResult($"{context.Function!.Name}|{context.Session?.Id}|{RapCallContext.Current == context}|{channel.Id}");
            return Task.CompletedTask;
        }, "ctx"));
        var function = server.Registry.Find("default", "ctx", RapFunctionKind.Channel)!;
        using var channel = server.Dispatcher.OpenChannel(function, TestServer.Context(RapVersion.V0538, sessionId: "s9"), "abc");
        Assert.Equal("ctx|s9|True|abc", await seen.Task);
        Assert.Equal(RapChannelEndReason.HandlerCompleted, await channel.Completion);
        _ = MessagePackValue.Nil;
    }
}
