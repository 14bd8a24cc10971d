using OrleansRpc.Gateway.Tests.Infrastructure;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.Plumbing;

/// <summary>Concurrent calls on one connection, completion-order answers, back-pressure, serialized writes.</summary>
public sealed class MultiplexingTests
{
    [Fact]
    public async Task Calls_are_answered_in_completion_order()
    {
        var calls = new TestCalls();
        await using TestCluster cluster = await PlumbingCluster.StartAsync(calls);
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        await client.SendAsync(PlumbingCluster.Hold(1).Concat(PlumbingCluster.Hold(2)).ToArray());
        await calls.NextStartedAsync();
        await calls.NextStartedAsync();

        calls.Release(2);
        Assert.Equal(("done", 2L), TestFrames.Parse(await client.ReadFrameAsync()));
        calls.Release(1);
        Assert.Equal(("done", 1L), TestFrames.Parse(await client.ReadFrameAsync()));
    }

    [Fact]
    public async Task Echo_is_answered_while_other_calls_are_pending()
    {
        var calls = new TestCalls();
        await using TestCluster cluster = await PlumbingCluster.StartAsync(calls);
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        await client.SendAsync(PlumbingCluster.Hold(1));
        await calls.NextStartedAsync();
        await client.SendAsync(PlumbingCluster.Echo(2, "not blocked"));
        Assert.Equal(("echo", 2L), TestFrames.Parse(await client.ReadFrameAsync()));
        calls.Release(1);
        Assert.Equal(("done", 1L), TestFrames.Parse(await client.ReadFrameAsync()));
    }

    [Fact]
    public async Task At_the_in_flight_cap_reading_pauses_until_a_call_finishes()
    {
        var calls = new TestCalls();
        await using TestCluster cluster = await PlumbingCluster.StartAsync(calls, b => b.ConfigureGateway(o => o.MaxInFlightCallsPerConnection = 2));
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        await client.SendAsync(PlumbingCluster.Hold(1).Concat(PlumbingCluster.Hold(2)).Concat(PlumbingCluster.Hold(3)).ToArray());
        await calls.NextStartedAsync();
        await calls.NextStartedAsync();

        // Give a broken gateway the chance to start call 3 early; a working one cannot.
        await Task.Delay(200);
        calls.Release(1);
        Assert.Equal(3, await calls.NextStartedAsync());
        Assert.Equal(("done", 1L), TestFrames.Parse(await client.ReadFrameAsync()));

        IReadOnlyList<string> events = calls.Events;
        Assert.True(events.ToList().IndexOf("release 1") < events.ToList().IndexOf("start 3"), string.Join(", ", events));

        calls.Release(2);
        calls.Release(3);
        var rest = new HashSet<long> { TestFrames.Parse(await client.ReadFrameAsync()).Id, TestFrames.Parse(await client.ReadFrameAsync()).Id };
        Assert.Equal([2L, 3L], rest.Order());
    }

    [Fact]
    public async Task Answers_completed_concurrently_never_interleave()
    {
        var calls = new TestCalls();
        await using TestCluster cluster = await PlumbingCluster.StartAsync(calls);
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        const int Count = 200;
        await client.SendAsync(Enumerable.Range(0, Count).SelectMany(i => PlumbingCluster.Hold(i, payloadBytes: 10_000)).ToArray());
        for (int i = 0; i < Count; i++)
        {
            await calls.NextStartedAsync();
        }

        Parallel.For(0, Count, i => calls.Release(i));

        var seen = new HashSet<long>();
        for (int i = 0; i < Count; i++)
        {
            byte[]? frame = await client.ReadFrameAsync();
            (string op, long id) = TestFrames.Parse(frame);
            Assert.Equal("done", op);
            Assert.Equal(PlumbingCluster.Hold(id, payloadBytes: 10_000).Length, frame!.Length);
            Assert.True(seen.Add(id));
        }
    }
}
