using System.Runtime.CompilerServices;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;

namespace OrleansRpc.Server.Tests.Generators;

/// <summary>Items that are ready together travel as one batch, yet each stays its own value, in order, back-pressured.</summary>
public sealed class GeneratorBatchTests
{
    [Fact]
    public async Task Ready_items_arrive_in_batches_each_its_own_value_in_order()
    {
        const int Items = 1000;
        await using var server = new TestServer(
            r => r.Register((int n) => Ready(n), "ready"),
            o => { o.GeneratorBatchSize = 100; o.GeneratorBufferCapacity = 4; });
        var function = server.Registry.Find("default", "ready", RapFunctionKind.Generator)!;
        var stream = server.Dispatcher.StartGenerator(function, TestServer.Context(), RapArguments.Head(Msgpack.Bytes(Msgpack.Map(("n", Items)))));
        await using (stream)
        {
            var items = new List<long>();
            var reads = 0;
            RapGeneratorStep step;
            while ((step = await stream.WaitForItemsAsync()) == RapGeneratorStep.Item)
            {
                reads++;
                Assert.True(stream.ReadReady(items, static (list, item) =>
                {
                    // Each item is exactly one msgpack value (Parse refuses trailing bytes).
                    list.Add(MessagePackValue.Parse(item).AsInt64());
                    return true;
                }));
            }

            Assert.Equal(RapGeneratorStep.Completed, step);
            Assert.Equal(Enumerable.Range(0, Items).Select(i => (long)i), items);

            // A synchronous generator fills whole batches of 100: one read takes at least one batch.
            Assert.InRange(reads, 1, Items / 100);
        }
    }

    [Fact]
    public async Task An_endless_ready_generator_is_held_at_its_bound_of_batches_until_read()
    {
        var yielded = new StrongBox<long>();
        await using var server = new TestServer(
            r => r.Register((CancellationToken ct) => Endless(yielded, ct), "endless"),
            o => { o.GeneratorBatchSize = 10; o.GeneratorBufferCapacity = 2; });
        var function = server.Registry.Find("default", "endless", RapFunctionKind.Generator)!;
        var stream = server.Dispatcher.StartGenerator(function, TestServer.Context(), RapArguments.Head(Msgpack.Bytes(Msgpack.Map())));
        await using (stream)
        {
            // The first pull brings whole batches of 10 (2 per response); then nobody reads. The generator itself is
            // held a bounded number of batches ahead, not only the encoder.
            Assert.Equal(RapGeneratorStep.Item, await stream.WaitForItemsAsync());
            const long Bound = 30; // 2 chunks of 10 per pull (20 measured), plus one chunk in hand
            await Poll.UntilAsync(() => Interlocked.Read(ref yielded.Value) >= 10, "the first batch");
            await Poll.AtMostAsync(() => Interlocked.Read(ref yielded.Value), Bound, "the generator stays within its bound", TimeSpan.FromMilliseconds(500));
            Assert.InRange(stream.Received, 10, Bound);

            // Reading one batch at a time: each item is one value, in order, and the generator follows the reads.
            var read = new List<long>();
            while (read.Count < 500)
            {
                Assert.Equal(RapGeneratorStep.Item, await stream.WaitForItemsAsync());
                stream.ReadReady(read, static (list, item) =>
                {
                    list.Add(MessagePackValue.Parse(item).AsInt64());
                    return true;
                });
            }

            Assert.Equal(Enumerable.Range(0, read.Count).Select(i => (long)i), read);
            await Poll.AtMostAsync(() => Interlocked.Read(ref yielded.Value), read.Count + Bound, "the generator stays within its bound of the reads", TimeSpan.FromMilliseconds(300));
        }
    }

    [Fact]
    public async Task Disposing_mid_batch_disposes_the_enumerator_once()
    {
        var disposals = new StrongBox<int>();
        var yielded = new StrongBox<long>();
        await using var server = new TestServer(
            r => r.Register((CancellationToken ct) => Tracked(yielded, disposals, ct), "tracked"),
            o => { o.GeneratorBatchSize = 16; o.GeneratorBufferCapacity = 1; });
        var function = server.Registry.Find("default", "tracked", RapFunctionKind.Generator)!;
        var stream = server.Dispatcher.StartGenerator(function, TestServer.Context(), RapArguments.Head(Msgpack.Bytes(Msgpack.Map())));

        // Take part of the first batch, then the client goes away.
        Assert.Equal(RapGeneratorStep.Item, await stream.WaitForItemsAsync());
        var taken = 0;
        Assert.False(stream.ReadReady(0, (_, _) => ++taken < 5));
        Assert.Equal(5, taken);
        await Poll.UntilAsync(() => Interlocked.Read(ref yielded.Value) >= 16, "the first batch to be produced");

        // Disposal reaches the generator in its grain: its finally runs, once.
        await stream.DisposeAsync();
        await Poll.UntilAsync(() => Volatile.Read(ref disposals.Value) == 1, "the generator's finally");
        await stream.DisposeAsync();
        await Poll.HoldsAsync(() => Volatile.Read(ref disposals.Value) == 1, "the generator is disposed once", TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task An_error_after_ready_items_comes_after_those_items()
    {
        await using var server = new TestServer(r => r.Register((int n) => ReadyThenFail(n), "fail"));
        var function = server.Registry.Find("default", "fail", RapFunctionKind.Generator)!;
        foreach (RapVersion version in new[] { RapVersion.Head, RapVersion.V0538 })
        {
            RapArguments arguments = version == RapVersion.Head
                ? RapArguments.Head(Msgpack.Bytes(Msgpack.Map(("n", 5))))
                : RapArguments.Legacy(Msgpack.Bytes(Msgpack.Array(5)), Msgpack.Bytes(Msgpack.Map()));
            var stream = server.Dispatcher.StartGenerator(function, TestServer.Context(version), arguments);
            await using (stream)
            {
                // HEAD reads batches, 0.5.3.8 one item per request: the same items, then the error.
                var items = new List<long>();
                RapGeneratorStep step;
                if (version == RapVersion.Head)
                {
                    while ((step = await stream.WaitForItemsAsync()) == RapGeneratorStep.Item)
                    {
                        stream.ReadReady(items, static (list, item) =>
                        {
                            list.Add(MessagePackValue.Parse(item).AsInt64());
                            return true;
                        });
                    }
                }
                else
                {
                    using var output = new PooledBufferWriter();
                    while ((step = await stream.MoveNextAsync(output)) == RapGeneratorStep.Item)
                    {
                        items.Add(MessagePackValue.Parse(output.WrittenSpan).AsInt64());
                        output.Reset();
                    }
                }

                Assert.Equal([0L, 1L, 2L, 3L, 4L], items);
                Assert.Equal(RapGeneratorStep.Failed, step);
                Assert.Equal("ValueError", stream.Failure.ExceptionName);
                Assert.Equal("boom", stream.Failure.Message);
            }
        }
    }

    [Fact]
    public async Task An_item_after_a_wait_is_not_held_back_for_a_batch()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new TestServer(r => r.Register(() => ThreeThenWait(release.Task), "slow"));
        var function = server.Registry.Find("default", "slow", RapFunctionKind.Generator)!;
        var stream = server.Dispatcher.StartGenerator(function, TestServer.Context(), RapArguments.Head(Msgpack.Bytes(Msgpack.Map())));
        await using (stream)
        {
            // The three ready items go out while the generator waits; nothing waits for a full batch.
            var items = new List<long>();
            while (items.Count < 3)
            {
                Assert.Equal(RapGeneratorStep.Item, await stream.WaitForItemsAsync());
                stream.ReadReady(items, static (list, item) =>
                {
                    list.Add(MessagePackValue.Parse(item).AsInt64());
                    return true;
                });
            }

            Assert.Equal([0L, 1L, 2L], items);
            release.SetResult();
            Assert.Equal(RapGeneratorStep.Item, await stream.WaitForItemsAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20)));
            using var output = new PooledBufferWriter();
            Assert.Equal(RapGeneratorStep.Item, await stream.MoveNextAsync(output));
            Assert.Equal(3, MessagePackValue.Parse(output.WrittenSpan).AsInt64());
            Assert.Equal(RapGeneratorStep.Completed, await stream.MoveNextAsync(output));
        }
    }

    [Fact]
    public void Batch_options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RapServerOptions { GeneratorBatchSize = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new RapServerOptions { GeneratorBatchBytes = 0 }.Validate());
        new RapServerOptions().Validate();
    }

#pragma warning disable CS1998 // synchronous on purpose: every item is ready at once
    private static async IAsyncEnumerable<long> Ready(int n)
    {
        for (long i = 0; i < n; i++)
        {
            yield return i;
        }
    }

    private static async IAsyncEnumerable<long> Endless(StrongBox<long> yielded, [EnumeratorCancellation] CancellationToken ct)
    {
        for (long i = 0; ; i++)
        {
            ct.ThrowIfCancellationRequested();
            Interlocked.Increment(ref yielded.Value);
            yield return i;
        }
    }

    private static async IAsyncEnumerable<long> Tracked(StrongBox<long> yielded, StrongBox<int> disposals, [EnumeratorCancellation] CancellationToken ct)
    {
        try
        {
            for (long i = 0; ; i++)
            {
                ct.ThrowIfCancellationRequested();
                Interlocked.Increment(ref yielded.Value);
                yield return i;
            }
        }
        finally
        {
            Interlocked.Increment(ref disposals.Value);
        }
    }

    private static async IAsyncEnumerable<long> ReadyThenFail(int n)
    {
        for (long i = 0; i < n; i++)
        {
            yield return i;
        }

        throw new ArgumentException("boom");
    }
#pragma warning restore CS1998

    private static async IAsyncEnumerable<long> ThreeThenWait(Task release)
    {
        yield return 0;
        yield return 1;
        yield return 2;
        await release;
        yield return 3;
    }
}
