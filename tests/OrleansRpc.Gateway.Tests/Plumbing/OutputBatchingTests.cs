using OrleansRpc.Gateway.Connections;
using OrleansRpc.Gateway.Tests.Infrastructure;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.Plumbing;

/// <summary>How answers leave over a real socket: batched per read, single answers at once, no buffers held while idle.</summary>
public sealed class OutputBatchingTests
{
    [Fact]
    public async Task Answers_produced_while_reading_one_batch_leave_with_fewer_flushes_than_answers()
    {
        var calls = new TestCalls();
        await using TestCluster cluster = await PlumbingCluster.StartAsync(calls);
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        const int Count = 20;
        await client.SendAsync(Enumerable.Range(1, Count).SelectMany(i => PlumbingCluster.Echo(i, "x")).ToArray());
        for (int i = 1; i <= Count; i++)
        {
            Assert.Equal(("echo", (long)i), TestFrames.Parse(await client.ReadFrameAsync()));
        }

        RapConnection connection = Assert.Single(calls.Connections);
        Assert.Equal(Count, connection.Output.FramesWritten);

        // One send of 20 small frames arrives in one read, or at worst a few: each read's answers share a flush.
        Assert.InRange(connection.Output.Flushes, 1, Count / 2);
    }

    [Fact]
    public async Task A_single_call_is_answered_and_an_idle_connection_holds_no_output_buffer()
    {
        var calls = new TestCalls();
        await using TestCluster cluster = await PlumbingCluster.StartAsync(calls);
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        // Answered from another thread, outside any read batch: the writer loop sends it on its own.
        await client.SendAsync(PlumbingCluster.Hold(1));
        await calls.NextStartedAsync();
        RapConnection connection = Assert.Single(calls.Connections);
        calls.Release(1);
        Assert.Equal(("done", 1L), TestFrames.Parse(await client.ReadFrameAsync()));

        await client.SendAsync(PlumbingCluster.Echo(2, "y"));
        Assert.Equal(("echo", 2L), TestFrames.Parse(await client.ReadFrameAsync()));

        // The client may see the bytes a moment before the writer gives the buffers back: wait for that, bounded.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (connection.Output.HoldsBuffers)
        {
            await Task.Delay(10, timeout.Token);
        }

        Assert.Equal(0, connection.Output.PendingBytes);
    }
}
