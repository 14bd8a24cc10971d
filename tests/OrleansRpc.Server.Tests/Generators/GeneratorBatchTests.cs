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
        using var server = new TestServer(
            r => r.Register((int n) => Ready(n), "ready"),
            o => { o.GeneratorBatchSize = 100; o.GeneratorBufferCapacity = 4; });
        var function = server.Registry.Find("default", "ready", RapFunctionKind.Generator)!;
        server.Dispatcher.StartGenerator(function, TestServer.Context(), RapArguments.Head(Msgpack.Bytes(Msgpack.Map(("n", Items)))), out var stream);
        await using (stream)
        {
            var items = new List<long>();
            var reads = 0;
            RapGeneratorStep step;
            while ((step = await stream!.WaitForItemsAsync()) == RapGeneratorStep.Item)
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
        using var server = new TestServer(
            r => r.Register((CancellationToken ct) => Endless(yielded, ct), "endless"),
            o => { o.GeneratorBatchSize = 10; o.GeneratorBufferCapacity = 2; });
        var function = server.Registry.Find("default", "endless", RapFunctionKind.Generator)!;
        server.Dispatcher.StartGenerator(function, TestServer.Context(), RapArguments.Head(Msgpack.Bytes(Msgpack.Map())), out var stream);
        await using (stream)
        {
            // Two batches fill the subscription's buffer; the third is encoded and its OnNextAsync waits.
            await WaitForAsync(() => stream!.Produced == 30);
            await Task.Delay(100);
            Assert.Equal(30, stream!.Produced);
            Assert.Equal(30, Interlocked.Read(ref yielded.Value)); // the generator itself is held, not only the encoder

            // Reading one batch makes room for exactly one more.
            Assert.Equal(RapGeneratorStep.Item, await stream.WaitForItemsAsync());
            var read = new List<long>();
            Assert.False(stream.ReadReady(read, static (list, item) =>
            {
                list.Add(MessagePackValue.Parse(item).AsInt64());
                return list.Count < 10;
            }));
            Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), read);
            await WaitForAsync(() => stream.Produced == 40);
            await Task.Delay(100);
            Assert.Equal(40, stream.Produced);
        }
    }

    [Fact]
    public async Task Disposing_mid_batch_disposes_the_enumerator_once()
    {
        var disposals = new StrongBox<int>();
        var yielded = new StrongBox<long>();
        using var server = new TestServer(
            r => r.Register((CancellationToken ct) => Tracked(yielded, disposals, ct), "tracked"),
            o => { o.GeneratorBatchSize = 16; o.GeneratorBufferCapacity = 1; });
        var function = server.Registry.Find("default", "tracked", RapFunctionKind.Generator)!;
        server.Dispatcher.StartGenerator(function, TestServer.Context(), RapArguments.Head(Msgpack.Bytes(Msgpack.Map())), out var stream);

        // Take part of the first batch: the second moves into the buffer, the producer fills a third and waits with it.
        Assert.Equal(RapGeneratorStep.Item, await stream!.WaitForItemsAsync());
        var taken = 0;
        Assert.False(stream.ReadReady(0, (_, _) => ++taken < 5));
        await WaitForAsync(() => stream.Produced == 48);

        await stream.DisposeAsync();
        Assert.Equal(1, Volatile.Read(ref disposals.Value));
        await stream.DisposeAsync();
        Assert.Equal(1, Volatile.Read(ref disposals.Value));
    }

    [Fact]
    public async Task An_error_after_ready_items_comes_after_those_items()
    {
        using var server = new TestServer(r => r.Register((int n) => ReadyThenFail(n), "fail"));
        var function = server.Registry.Find("default", "fail", RapFunctionKind.Generator)!;
        foreach (RapVersion version in new[] { RapVersion.Head, RapVersion.V0538 })
        {
            RapArguments arguments = version == RapVersion.Head
                ? RapArguments.Head(Msgpack.Bytes(Msgpack.Map(("n", 5))))
                : RapArguments.Legacy(Msgpack.Bytes(Msgpack.Array(5)), Msgpack.Bytes(Msgpack.Map()));
            server.Dispatcher.StartGenerator(function, TestServer.Context(version), arguments, out var stream);
            await using (stream)
            {
                // HEAD reads batches, 0.5.3.8 one item per request: the same items, then the error.
                var items = new List<long>();
                RapGeneratorStep step;
                if (version == RapVersion.Head)
                {
                    while ((step = await stream!.WaitForItemsAsync()) == RapGeneratorStep.Item)
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
                    while ((step = await stream!.MoveNextAsync(output)) == RapGeneratorStep.Item)
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
        using var server = new TestServer(r => r.Register(() => ThreeThenWait(release.Task), "slow"));
        var function = server.Registry.Find("default", "slow", RapFunctionKind.Generator)!;
        server.Dispatcher.StartGenerator(function, TestServer.Context(), RapArguments.Head(Msgpack.Bytes(Msgpack.Map())), out var stream);
        await using (stream)
        {
            // The three ready items go out while the generator waits; nothing waits for a full batch.
            var items = new List<long>();
            while (items.Count < 3)
            {
                Assert.Equal(RapGeneratorStep.Item, await stream!.WaitForItemsAsync());
                stream.ReadReady(items, static (list, item) =>
                {
                    list.Add(MessagePackValue.Parse(item).AsInt64());
                    return true;
                });
            }

            Assert.Equal([0L, 1L, 2L], items);
            release.SetResult();
            Assert.Equal(RapGeneratorStep.Item, await stream!.WaitForItemsAsync());
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

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
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
