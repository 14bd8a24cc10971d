using System.Runtime.CompilerServices;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Errors;

namespace OrleansRpc.Server.Tests.Generators;

public sealed class GeneratorTests
{
    [Fact]
    public async Task Items_arrive_in_order_then_completion_for_both_generations()
    {
        await using var server = new TestServer(r => r.Register((int n) => CountUp(n), "count_up"));
        var function = server.Registry.Find("default", "count_up", RapFunctionKind.Generator)!;
        foreach (var (version, args) in new[]
        {
            (RapVersion.Head, RapArguments.Head(Msgpack.Bytes(Msgpack.Map(("n", 3))))),
            (RapVersion.V0538, RapArguments.Legacy(Msgpack.Bytes(Msgpack.Array(3)), Msgpack.Bytes(Msgpack.Map()))),
        })
        {
            var stream = server.Dispatcher.StartGenerator(function, TestServer.Context(version), args);
            await using (stream)
            {
                Assert.NotEqual(0, stream!.Id);
                Assert.NotEqual(-1, stream.Id);
                var items = new List<long>();
                using var output = new PooledBufferWriter();
                RapGeneratorStep step;
                while ((step = await stream.MoveNextAsync(output)) == RapGeneratorStep.Item)
                {
                    items.Add(MessagePackValue.Parse(output.WrittenSpan).AsInt64());
                    output.Reset();
                }

                Assert.Equal(RapGeneratorStep.Completed, step);
                Assert.Equal([0L, 1L, 2L], items);
            }
        }
    }

    [Fact]
    public async Task Binding_errors_come_back_as_the_streams_failure_before_any_item()
    {
        var started = 0;
        await using var server = new TestServer(r => r.Register((int n) =>
        {
            Interlocked.Increment(ref started);
            return CountUp(n);
        }, "count_up"));
        var function = server.Registry.Find("default", "count_up", RapFunctionKind.Generator)!;
        await using (var stream = server.Dispatcher.StartGenerator(function, TestServer.Context(RapVersion.V0538),
            RapArguments.Legacy(Msgpack.Bytes(Msgpack.Array("x")), Msgpack.Bytes(Msgpack.Map()))))
        {
            using var output = new PooledBufferWriter();
            Assert.Equal(RapGeneratorStep.Failed, await stream.MoveNextAsync(output));
            Assert.Equal(0, output.WrittenCount);
            Assert.Equal("Parse error. x type must: <class 'int'>", stream.Failure.Message);
            Assert.Equal(RapCallOutcome.StatusError, stream.Failure.Outcome);
        }

        await using (var head = server.Dispatcher.StartGenerator(function, TestServer.Context(), RapArguments.Head(Msgpack.Bytes(Msgpack.Map()))))
        {
            Assert.Equal(RapGeneratorStep.Failed, await head.WaitForItemsAsync());
            Assert.Equal("Parse error. missing a required argument: 'n'", head.Failure.Message);
        }

        Assert.Equal(0, Volatile.Read(ref started));
    }

    [Fact]
    public async Task An_exception_inside_the_generator_surfaces_after_the_items_before_it()
    {
        await using var server = new TestServer(r => r.Register(() => Failing(), "failing"));
        var function = server.Registry.Find("default", "failing", RapFunctionKind.Generator)!;
        await using (var stream = server.Dispatcher.StartGenerator(function, TestServer.Context(), RapArguments.Head(Msgpack.Bytes(Msgpack.Map()))))
        {
            using var output = new PooledBufferWriter();
            Assert.Equal(RapGeneratorStep.Item, await stream.MoveNextAsync(output));
            Assert.Equal(1, MessagePackValue.Parse(output.WrittenSpan).AsInt64());
            Assert.Equal(RapGeneratorStep.Failed, await stream.MoveNextAsync(output));
            Assert.Equal(RapCallOutcome.FunctionError, stream.Failure.Outcome);
            Assert.Equal("ValueError", stream.Failure.ExceptionName);
            Assert.Equal("boom", stream.Failure.Message);
        }
    }

    [Fact]
    public async Task The_producer_waits_when_the_consumer_stalls()
    {
        var produced = new StrongBox<long>();
        await using var server = new TestServer(
            r => r.Register((CancellationToken ct) => Endless(produced, ct), "endless"),
            o => { o.GeneratorBufferCapacity = 2; o.GeneratorBatchSize = 1; });
        var function = server.Registry.Find("default", "endless", RapFunctionKind.Generator)!;
        await using var stream = server.Dispatcher.StartGenerator(function, TestServer.Context(), RapArguments.Head(Msgpack.Bytes(Msgpack.Map())));
        using var output = new PooledBufferWriter();
        Assert.Equal(RapGeneratorStep.Item, await stream.MoveNextAsync(output));
        Assert.Equal(0, MessagePackValue.Parse(output.WrittenSpan).AsInt64());

        // Nobody reads any more: the producer runs at most a bounded distance ahead (one pull's batch and the item in
        // hand), never on and on. Items here each take a wait, so each travels alone.
        const long Bound = 3; // 1 measured: a waiting generator is not run ahead at all
        await Poll.UntilAsync(() => Interlocked.Read(ref produced.Value) >= 1, "the first item");
        await Poll.AtMostAsync(() => Interlocked.Read(ref produced.Value), Bound, "the producer stays within its bound", TimeSpan.FromMilliseconds(500));

        // Reading lets it go on, still within the bound of what was read.
        for (var i = 1; i <= 20; i++)
        {
            output.Reset();
            Assert.Equal(RapGeneratorStep.Item, await stream.MoveNextAsync(output));
            Assert.Equal(i, MessagePackValue.Parse(output.WrittenSpan).AsInt64());
        }

        await Poll.UntilAsync(() => Interlocked.Read(ref produced.Value) >= 21, "the producer to follow the reads");
        await Poll.AtMostAsync(() => Interlocked.Read(ref produced.Value), 21 + Bound, "the producer stays within its bound of the reads", TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Disposing_the_stream_cancels_the_generator()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new TestServer(r => r.Register((CancellationToken ct) => UntilCancelled(cancelled, ct), "wait"));
        var function = server.Registry.Find("default", "wait", RapFunctionKind.Generator)!;
        var stream = server.Dispatcher.StartGenerator(function, TestServer.Context(), RapArguments.Head(Msgpack.Bytes(Msgpack.Map())));
        using var output = new PooledBufferWriter();
        Assert.Equal(RapGeneratorStep.Item, await stream.MoveNextAsync(output));
        await stream.DisposeAsync();
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await stream.DisposeAsync(); // idempotent
    }

    private static async IAsyncEnumerable<int> CountUp(int n)
    {
        for (var i = 0; i < n; i++)
        {
            await Task.Yield();
            yield return i;
        }
    }

    private static async IAsyncEnumerable<int> Failing()
    {
        await Task.Yield();
        yield return 1;
        throw new ArgumentException("boom");
    }

    private static async IAsyncEnumerable<long> Endless(StrongBox<long> produced, [EnumeratorCancellation] CancellationToken ct)
    {
        for (long i = 0; ; i++)
        {
            ct.ThrowIfCancellationRequested();
            await Task.Delay(1, ct);
            Interlocked.Increment(ref produced.Value);
            yield return i;
        }
    }

    private static async IAsyncEnumerable<int> UntilCancelled(TaskCompletionSource cancelled, [EnumeratorCancellation] CancellationToken ct)
    {
        yield return 1;
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        finally
        {
            cancelled.TrySetResult();
        }

        yield return 2;
    }
}
