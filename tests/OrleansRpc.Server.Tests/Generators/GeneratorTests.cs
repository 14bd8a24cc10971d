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
        using var server = new TestServer(r => r.Register((int n) => CountUp(n), "count_up"));
        var function = server.Registry.Find("default", "count_up", RapFunctionKind.Generator)!;
        foreach (var (version, args) in new[]
        {
            (RapVersion.Head, RapArguments.Head(Msgpack.Bytes(Msgpack.Map(("n", 3))))),
            (RapVersion.V0538, RapArguments.Legacy(Msgpack.Bytes(Msgpack.Array(3)), Msgpack.Bytes(Msgpack.Map()))),
        })
        {
            var result = server.Dispatcher.StartGenerator(function, TestServer.Context(version), args, out var stream);
            Assert.True(result.IsSuccess, result.ToString());
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
    public void Binding_errors_come_back_without_a_stream()
    {
        using var server = new TestServer(r => r.Register((int n) => CountUp(n), "count_up"));
        var function = server.Registry.Find("default", "count_up", RapFunctionKind.Generator)!;
        var result = server.Dispatcher.StartGenerator(function, TestServer.Context(RapVersion.V0538),
            RapArguments.Legacy(Msgpack.Bytes(Msgpack.Array("x")), Msgpack.Bytes(Msgpack.Map())), out var stream);
        Assert.Null(stream);
        Assert.Equal("Parse error. x type must: <class 'int'>", result.Message);
        var head = server.Dispatcher.StartGenerator(function, TestServer.Context(), RapArguments.Head(Msgpack.Bytes(Msgpack.Map())), out stream);
        Assert.Null(stream);
        Assert.Equal("Parse error. missing a required argument: 'n'", head.Message);
    }

    [Fact]
    public async Task An_exception_inside_the_generator_surfaces_after_the_items_before_it()
    {
        using var server = new TestServer(r => r.Register(() => Failing(), "failing"));
        var function = server.Registry.Find("default", "failing", RapFunctionKind.Generator)!;
        server.Dispatcher.StartGenerator(function, TestServer.Context(), RapArguments.Head(Msgpack.Bytes(Msgpack.Map())), out var stream);
        await using (stream)
        {
            using var output = new PooledBufferWriter();
            Assert.Equal(RapGeneratorStep.Item, await stream!.MoveNextAsync(output));
            Assert.Equal(RapGeneratorStep.Failed, await stream.MoveNextAsync(output));
            Assert.Equal(RapCallOutcome.FunctionError, stream.Failure.Outcome);
            Assert.Equal("ValueError", stream.Failure.ExceptionName);
            Assert.Equal("boom", stream.Failure.Message);
        }
    }

    [Fact]
    public async Task The_producer_waits_when_the_consumer_stalls()
    {
        var requested = new SemaphoreSlim(0);
        using var server = new TestServer(
            r => r.Register((CancellationToken ct) => Endless(requested, ct), "endless"),
            o => o.GeneratorBufferCapacity = 2);
        var function = server.Registry.Find("default", "endless", RapFunctionKind.Generator)!;
        server.Dispatcher.StartGenerator(function, TestServer.Context(), RapArguments.Head(Msgpack.Bytes(Msgpack.Map())), out var stream);
        await using (stream)
        {
            // Two items fill the buffer, the third is produced and then waits for room.
            for (var i = 0; i < 3; i++)
            {
                await requested.WaitAsync();
            }

            // Wait for the count (a fixed sleep failed under load), then check that no fourth item is asked for:
            // that can only fail if the producer does not wait.
            await UntilAsync(() => stream!.Produced == 3);
            Assert.False(await requested.WaitAsync(TimeSpan.FromMilliseconds(200)));
            Assert.Equal(3, stream!.Produced);

            using var output = new PooledBufferWriter();
            Assert.Equal(RapGeneratorStep.Item, await stream.MoveNextAsync(output));
            Assert.Equal(0, MessagePackValue.Parse(output.WrittenSpan).AsInt64());

            // Taking one item makes room for exactly one more.
            await requested.WaitAsync();
            await UntilAsync(() => stream.Produced == 4);
            Assert.False(await requested.WaitAsync(TimeSpan.FromMilliseconds(200)));
            Assert.Equal(4, stream.Produced);
        }
    }

    [Fact]
    public async Task Disposing_the_stream_cancels_the_generator()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new TestServer(r => r.Register((CancellationToken ct) => UntilCancelled(cancelled, ct), "wait"));
        var function = server.Registry.Find("default", "wait", RapFunctionKind.Generator)!;
        server.Dispatcher.StartGenerator(function, TestServer.Context(), RapArguments.Head(Msgpack.Bytes(Msgpack.Map())), out var stream);
        using var output = new PooledBufferWriter();
        Assert.Equal(RapGeneratorStep.Item, await stream!.MoveNextAsync(output));
        await stream.DisposeAsync();
        await cancelled.Task;
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

    private static async Task UntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    private static async IAsyncEnumerable<long> Endless(SemaphoreSlim requested, [EnumeratorCancellation] CancellationToken ct)
    {
        for (long i = 0; ; i++)
        {
            ct.ThrowIfCancellationRequested();
            await Task.Yield();
            requested.Release();
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
