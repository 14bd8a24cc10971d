using OrleansRpc.Grains.Streams;
using OrleansRpc.Grains.Tests.Infrastructure;

namespace OrleansRpc.Grains.Tests;

public class StreamTests
{
    [Fact]
    public async Task A_stalled_consumer_blocks_its_producer_at_the_buffer_bound()
    {
        await using var silo = await TestSilo.StartAsync(b => b.AddMemoryStreamsForTests(capacity: 2));
        var stream = silo.Client.GetStreamProvider("mem").GetStream<int>("ns", "s1");
        var reader = await stream.SubscribeReaderAsync();

        await stream.OnNextAsync(1).WithTestTimeout();
        await stream.OnNextAsync(2).WithTestTimeout();
        var third = stream.OnNextAsync(3);
        Assert.False(third.IsCompleted); // the buffer (2) is full and nobody reads

        Assert.True(reader.TryRead(out var first));
        Assert.Equal(1, first);
        await third.WithTestTimeout(); // one taken: room for one

        var fourth = stream.OnNextAsync(4);
        Assert.False(fourth.IsCompleted);
        var items = new List<int>();
        await using (var enumerator = reader.GetAsyncEnumerator())
        {
            Assert.True(await enumerator.MoveNextAsync());
            items.Add(enumerator.Current);
            await fourth.WithTestTimeout();
            await stream.OnCompletedAsync();
            while (await enumerator.MoveNextAsync())
            {
                items.Add(enumerator.Current);
            }
        }

        Assert.Equal([2, 3, 4], items);
        await reader.Completion.WithTestTimeout();
    }

    [Fact]
    public async Task Every_subscription_gets_every_event_and_the_slowest_sets_the_pace()
    {
        await using var silo = await TestSilo.StartAsync(b => b.AddMemoryStreamsForTests(capacity: 1));
        var stream = silo.Client.GetStreamProvider("mem").GetStream<string>("ns", Guid.NewGuid());
        var fast = await stream.SubscribeReaderAsync(bufferCapacity: 10);
        var slow = await stream.SubscribeReaderAsync();
        Assert.Equal(2, (await stream.GetAllSubscriptionHandles()).Count);

        await stream.OnNextAsync("a");
        var b = stream.OnNextAsync("b");
        Assert.False(b.IsCompleted); // slow's single slot is taken
        Assert.True(fast.TryRead(out _));
        Assert.False(b.IsCompleted);
        Assert.True(slow.TryRead(out var a));
        Assert.Equal("a", a);
        await b.WithTestTimeout();
    }

    [Fact]
    public async Task Unsubscribing_releases_a_blocked_producer()
    {
        await using var silo = await TestSilo.StartAsync(b => b.AddMemoryStreamsForTests(capacity: 1));
        var stream = silo.Client.GetStreamProvider("mem").GetStream<int>("ns", 7);
        var reader = await stream.SubscribeReaderAsync();
        await stream.OnNextAsync(1);
        var blocked = stream.OnNextAsync(2);
        Assert.False(blocked.IsCompleted);
        await reader.UnsubscribeAsync();
        await blocked.WithTestTimeout();
        Assert.Empty(await stream.GetAllSubscriptionHandles());

        // With nobody subscribed, events are dropped rather than buffered.
        await stream.OnNextAsync(3).WithTestTimeout();
    }

    [Fact]
    public async Task Observers_receive_events_completion_and_errors_in_order()
    {
        await using var silo = await TestSilo.StartAsync(b => b.AddMemoryStreamsForTests(capacity: 4));
        var provider = silo.Client.GetStreamProvider("mem");
        var completedObserver = new RecordingObserver();
        var stream = provider.GetStream<int>("ns", "obs");
        var handle = await stream.SubscribeAsync(completedObserver);
        Assert.Equal("mem", handle.ProviderName);
        for (var i = 0; i < 20; i++)
        {
            await stream.OnNextAsync(i);
        }

        await stream.OnCompletedAsync();
        await completedObserver.Done.Task.WithTestTimeout();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("completed"), completedObserver.Events);

        var failing = provider.GetStream<int>("ns", "err");
        var errorObserver = new RecordingObserver();
        await failing.SubscribeAsync(errorObserver);
        var reader = await failing.SubscribeReaderAsync();
        await failing.OnNextAsync(1);
        await failing.OnErrorAsync(new InvalidDataException("bad"));
        await errorObserver.Done.Task.WithTestTimeout();
        Assert.Equal(["1", "error:InvalidDataException"], errorObserver.Events);
        Assert.True(reader.TryRead(out _));
        await Assert.ThrowsAsync<InvalidDataException>(async () => await reader.WaitToReadAsync());
    }

    [Fact]
    public async Task A_completed_stream_without_subscriptions_is_forgotten()
    {
        await using var silo = await TestSilo.StartAsync(b => b.AddMemoryStreamsForTests());
        var provider = silo.Client.GetStreamProvider("mem");
        var stream = provider.GetStream<int>("ns", "done");
        var reader = await stream.SubscribeReaderAsync();
        await stream.OnCompletedAsync();
        Assert.Same(stream, provider.GetStream<int>("ns", "done"));
        await reader.DisposeAsync();

        // A new stream with the same id starts fresh (and may carry another type).
        Assert.NotSame(stream, provider.GetStream<string>("ns", "done"));
    }

    [Fact]
    public async Task A_stream_keeps_its_item_type()
    {
        await using var silo = await TestSilo.StartAsync(b => b.AddMemoryStreamsForTests());
        var provider = silo.Client.GetStreamProvider("mem");
        var stream = provider.GetStream<int>("ns", "typed");
        Assert.Equal(stream, provider.GetStream<int>("ns", "typed"));
        Assert.Throws<InvalidCastException>(() => provider.GetStream<string>("ns", "typed"));
    }

    private sealed class RecordingObserver : IAsyncObserver<int>
    {
        public List<string> Events { get; } = [];

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task OnNextAsync(int item, StreamSequenceToken? token = null)
        {
            await Task.Yield();
            Events.Add(item.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        public Task OnCompletedAsync()
        {
            Events.Add("completed");
            Done.SetResult();
            return Task.CompletedTask;
        }

        public Task OnErrorAsync(Exception ex)
        {
            Events.Add("error:" + ex.GetType().Name);
            Done.SetResult();
            return Task.CompletedTask;
        }
    }
}
