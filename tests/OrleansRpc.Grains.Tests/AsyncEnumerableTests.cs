using OrleansRpc.Grains.Tests.Infrastructure;
using OrleansRpc.Grains.Tests.TestGrains;

namespace OrleansRpc.Grains.Tests;

public class AsyncEnumerableTests
{
    [Fact]
    public async Task Items_arrive_in_order_across_batches()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IEnumeratingGrain>("e");
        var items = new List<int>();
        await foreach (var item in grain.Range(250).WithBatchSize(7))
        {
            items.Add(item);
        }

        Assert.Equal(Enumerable.Range(0, 250), items);

        // Nothing is sent until the first MoveNextAsync; each enumeration is its own call.
        var lazy = grain.Range(3);
        Assert.Equal(3, await CountAsync(lazy));
        Assert.Equal(3, await CountAsync(lazy));
    }

    [Fact]
    public async Task Items_are_pulled_a_batch_per_step_and_the_producer_never_runs_ahead()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<ICountingProducerGrain>("pull");
        int Produced() => silo.Probe.Events.Count(e => e.StartsWith("produced:", StringComparison.Ordinal));

        var enumerable = grain.Produce(12).WithBatchSize(5);
        Assert.Equal(0, Produced()); // nothing runs before the first MoveNextAsync
        await using var enumerator = enumerable.GetAsyncEnumerator();

        // The first step takes every ready item up to the batch size; the next four come from that batch.
        for (var i = 0; i < 5; i++)
        {
            Assert.True(await enumerator.MoveNextAsync().AsTask().WithTestTimeout());
            Assert.Equal(i, enumerator.Current);
            Assert.Equal(5, Produced());
        }

        // The sixth item needs a second step, which again takes a full batch, and the third takes the rest.
        Assert.True(await enumerator.MoveNextAsync().AsTask().WithTestTimeout());
        Assert.Equal(10, Produced());
        for (var i = 6; i < 12; i++)
        {
            Assert.True(await enumerator.MoveNextAsync().AsTask().WithTestTimeout());
            Assert.Equal(i, enumerator.Current);
        }

        Assert.False(await enumerator.MoveNextAsync().AsTask().WithTestTimeout());
        Assert.Equal(12, Produced());
    }

    [Fact]
    public async Task Stopping_early_disposes_the_producer_and_cancels_its_token()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IEnumeratingGrain>("endless");
        var taken = 0;
        await foreach (var item in grain.Endless(CancellationToken.None))
        {
            if (++taken == 5)
            {
                break;
            }
        }

        // DisposeAsync returned only after the producer's finally ran, with its token cancelled.
        Assert.Contains("producer-finally:True", silo.Probe.Events);

        // The grain is still usable, and a non-reentrant grain was not left blocked.
        Assert.Equal(42, await grain.Ping().WithTestTimeout());
    }

    [Fact]
    public async Task Consumer_cancellation_reaches_the_producer()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IEnumeratingGrain>("cancel");
        using var cts = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var item in grain.Endless(cts.Token))
            {
                if (item == 3)
                {
                    await cts.CancelAsync();
                }
            }
        }).WithTestTimeout();
        await silo.Probe.Signal("producer-finally").Task.WithTestTimeout();
    }

    [Fact]
    public async Task A_producer_exception_keeps_its_type_after_the_items_before_it()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IEnumeratingGrain>("fail");
        var items = new List<int>();
        var ex = await Assert.ThrowsAsync<CustomGrainException>(async () =>
        {
            await foreach (var item in grain.FailAfter(5))
            {
                items.Add(item);
            }
        });
        Assert.Equal("producer failed", ex.Message);
        Assert.Equal([0, 1, 2, 3, 4], items);
    }

    private static async Task<int> CountAsync(IAsyncEnumerable<int> source)
    {
        var count = 0;
        await foreach (var _ in source)
        {
            count++;
        }

        return count;
    }
}
