using OrleansRpc.MessagePack;
using OrleansRpc.Server;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.EndToEnd;

/// <summary>
/// A HEAD generator that raises after a wait, with items ready before it: they reach the client once, then the
/// error; and the batch they travelled in goes back to the process-wide batch pool once. (It used to be published
/// a second time on the failure path, so the pool held it twice and the next two generators filled one buffer.)
/// </summary>
public sealed class GeneratorFailureTests
{
    private readonly TaskCompletionSource _raise = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _holding = new(0);
    private readonly ManualResetEventSlim _release = new();

    [Fact]
    public async Task Items_before_a_failing_wait_are_sent_once_and_their_batch_is_reused_once()
    {
        await using TestCluster cluster = await TestCluster.StartAsync(b => b
            .ConfigureGateway(o => o.LegacySilenceThreshold = TimeSpan.FromSeconds(60))
            .AddFunctions(f => f.AddFunction(TwoThenRaise, "two_then_raise").AddFunction(HoldOne, "hold_one")));
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        await StartAsync(client, 5, "two_then_raise", MessagePackValue.FromMap());
        List<MessagePackValue> first = await ReadChannelAsync(client, 5, onItem: count =>
        {
            if (count == 2)
            {
                _raise.SetResult(); // both items arrived while the generator waits: now it raises
            }
        });
        Assert.Equal([0L, 1L], first.Where(IsItem).Select(f => f[3].AsInt64()));
        Assert.Single(first, f => f[2].TryGetValue("status_code", out _));

        // Two generators, each holding its producer (and its rented batch) inside the user's code at once: with a
        // batch pooled twice they would share one buffer and each see the other's item.
        await StartAsync(client, 7, "hold_one", MessagePackValue.FromMap(("item", "a")));
        await _holding.WaitAsync(TimeSpan.FromSeconds(30));
        await StartAsync(client, 9, "hold_one", MessagePackValue.FromMap(("item", "b")));
        await _holding.WaitAsync(TimeSpan.FromSeconds(30));
        _release.Set();

        var items = new Dictionary<long, List<string>> { [7] = [], [9] = [] };
        int dropped = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (dropped < 2)
        {
            MessagePackValue frame = await NextChannelFrameAsync(client, timeout.Token);
            if (IsItem(frame))
            {
                items[frame[1].AsInt64()].Add(frame[3].AsString());
            }
            else if (frame[2].TryGetValue("channel_life_cycle", out MessagePackValue lifeCycle) && lifeCycle.AsString() == "DROP")
            {
                dropped++;
            }
        }

        Assert.Equal(["a"], items[7]);
        Assert.Equal(["b"], items[9]);
    }

    private async IAsyncEnumerable<long> TwoThenRaise()
    {
        // Both items are ready at once (one batch), published when the generator starts to wait.
        yield return 0;
        yield return 1;
        await _raise.Task.ConfigureAwait(false);
        throw new InvalidOperationException("after the wait");
    }

    private async IAsyncEnumerable<string> HoldOne(string item)
    {
        yield return item;

        // Blocks inside MoveNextAsync, so the producer keeps its batch (holding the item) until released.
        _holding.Release();
        _release.Wait(TimeSpan.FromSeconds(30));
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private static bool IsItem(MessagePackValue frame) =>
        frame[2].TryGetValue("channel_life_cycle", out MessagePackValue lifeCycle) && lifeCycle.AsString() == "MSG";

    private static async Task StartAsync(RawFrameClient client, long id, string name, MessagePackValue parameters)
    {
        await client.SendAsync(MessagePackValue.FromArray(102, id,
            MessagePackValue.FromMap(("channel_life_cycle", "DECLARE"), ("target", "/default/" + name)), MessagePackValue.FromMap()).ToArray());
        await client.SendAsync(MessagePackValue.FromArray(102, id, MessagePackValue.FromMap(("channel_life_cycle", "MSG")), parameters).ToArray());
    }

    /// <summary>The channel's frames after its DECLARE answer, up to and including its DROP.</summary>
    private static async Task<List<MessagePackValue>> ReadChannelAsync(RawFrameClient client, long id, Action<int> onItem)
    {
        var frames = new List<MessagePackValue>();
        int count = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            MessagePackValue frame = await NextChannelFrameAsync(client, timeout.Token);
            Assert.Equal(id, frame[1].AsInt64());
            bool hasLifeCycle = frame[2].TryGetValue("channel_life_cycle", out MessagePackValue lifeCycle);
            if (hasLifeCycle && lifeCycle.AsString() == "DECLARE")
            {
                continue;
            }

            frames.Add(frame);
            if (IsItem(frame))
            {
                onItem(++count);
            }
            else if (hasLifeCycle && lifeCycle.AsString() == "DROP")
            {
                return frames;
            }
        }
    }

    private static async Task<MessagePackValue> NextChannelFrameAsync(RawFrameClient client, CancellationToken cancellationToken)
    {
        while (true)
        {
            byte[] bytes = await client.ReadFrameAsync(cancellationToken: cancellationToken) ?? throw new InvalidOperationException("The server closed the connection.");
            MessagePackValue frame = MessagePackValue.Parse(bytes);
            if (frame[0].AsInt64() == 102)
            {
                return frame; // server pings and other events aside
            }
        }
    }
}
