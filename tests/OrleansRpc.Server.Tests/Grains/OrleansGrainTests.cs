using System.Runtime.CompilerServices;
using Orleans;
using Orleans.Runtime;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;

namespace OrleansRpc.Server.Tests.Grains;

/// <summary>
/// The guarantees the home-made grain runtime used to give, now checked on a real Orleans silo: where calls run
/// (function-group, session and generator grains), the worker cap, the run timeout, cancellation and back-pressure.
/// </summary>
public sealed class OrleansGrainTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_unary_call_runs_inside_the_function_group_grain_of_its_group()
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<GrainId?>();
        await using var server = TestServer.Start(b => b
            .AddFunction(async (int a, int b) =>
            {
                // An async function runs in the grain turn up to its first await.
                seen.Enqueue(CurrentGrainId());
                await Task.Yield();
                return a + b;
            }, "sum_async", group: "math")
            .AddFunction([RapFunction(SynchronousExecution = RapSynchronousExecution.Inline)] (int a, int b) =>
            {
                seen.Enqueue(CurrentGrainId());
                return a * b;
            }, "mul_inline"));

        var head = await server.Head("sum_async", Msgpack.Map(("a", 1), ("b", 2)), group: "math");
        var legacy = await TestServer.CallLegacy(server.Dispatcher, "math", "sum_async", Msgpack.Array(3, 4), Msgpack.Map());
        var inline = await server.Head("mul_inline", Msgpack.Map(("a", 3), ("b", 5)));

        Assert.True(head.Result.IsSuccess, head.Result.ToString());
        Assert.Equal(3, head.Value.AsInt64());
        Assert.Equal(7, legacy.Value.AsInt64());
        Assert.Equal(15, inline.Value.AsInt64());

        var math = server.Grains.GetGrain<IFunctionGroupGrain>("math").GetGrainId();
        var defaultGroup = server.Grains.GetGrain<IFunctionGroupGrain>("default").GetGrainId();
        Assert.Equal("functiongroup", math.Type.ToString());
        Assert.Equal("math", math.Key.ToString());
        Assert.Equal([math, math, defaultGroup], seen.Select(g => g ?? default));
    }

    [Fact]
    public async Task Synchronous_calls_of_a_group_run_at_most_MaxLocalWorkers_at_once_while_async_calls_interleave()
    {
        using var gate = new ManualResetEventSlim();
        var asyncGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = 0;
        var asyncEntered = 0;
        var running = 0;
        var maxRunning = 0;

        // Not Orleans' default stateless-worker cap (the processor count): the option must be what limits the workers.
        var cap = Environment.ProcessorCount + 1;

        // The blocked calls hold pool threads: have enough of them at once rather than wait for the pool to grow.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 4 * cap + 16), io);
        await using var server = TestServer.Start(
            b => b
                .AddFunction(() =>
                {
                    var now = Interlocked.Increment(ref running);
                    InterlockedMax(ref maxRunning, now);
                    Interlocked.Increment(ref entered);
                    gate.Wait(TimeSpan.FromSeconds(30));
                    Interlocked.Decrement(ref running);
                    return now;
                }, "block", group: "g")
                .AddFunction(async () =>
                {
                    Interlocked.Increment(ref asyncEntered);
                    await asyncGate.Task;
                    return 1;
                }, "wait", group: "g"),
            o =>
            {
                o.MaxLocalWorkers = cap;
                o.RunTimeout = TimeSpan.FromSeconds(30);
            });

        var blocked = Enumerable.Range(0, cap + 3).Select(_ => server.Head("block", Msgpack.Map(), group: "g")).ToArray();
        await Poll.UntilAsync(() => Volatile.Read(ref entered) == cap, $"{cap} synchronous calls to start");

        // Every worker is held: every async call of the same group still starts, no further synchronous call does.
        var waiting = Enumerable.Range(0, 6).Select(_ => server.Head("wait", Msgpack.Map(), group: "g")).ToArray();
        await Poll.UntilAsync(() => Volatile.Read(ref asyncEntered) == 6, "all async calls to start while the workers are busy");
        await Poll.HoldsAsync(() => Volatile.Read(ref entered) == cap, "no further synchronous call runs while the workers block", TimeSpan.FromMilliseconds(300));

        asyncGate.SetResult();
        gate.Set();
        foreach (var (result, _) in await Task.WhenAll(blocked.Concat(waiting)).WaitAsync(Patience))
        {
            Assert.True(result.IsSuccess, result.ToString());
        }

        Assert.Equal(cap + 3, Volatile.Read(ref entered));
        Assert.Equal(cap, Volatile.Read(ref maxRunning));
    }

    [Fact]
    public async Task A_function_taking_the_session_keeps_state_per_key_in_its_session_grain()
    {
        await using var server = TestServer.Start(b => b.AddFunction(async (RapSession session) =>
        {
            var grain = CurrentGrainId();
            var n = (long)session.Items.AddOrUpdate("n", 1L, (_, v) => (long)v! + 1)!;
            await Task.Yield();
            return $"{n}|{grain}";
        }, "next"));

        async Task<string> Next(string key) => (await server.Head("next", Msgpack.Map(), TestServer.Context(sessionId: key))).Value.AsString();
        var a = server.Grains.GetGrain<ISessionGrain>("a").GetGrainId();
        var b = server.Grains.GetGrain<ISessionGrain>("b").GetGrainId();

        Assert.Equal($"1|{a}", await Next("a"));
        Assert.Equal($"2|{a}", await Next("a"));
        Assert.Equal($"1|{b}", await Next("b"));
        Assert.Equal($"3|{a}", await Next("a"));
        Assert.Equal("session", a.Type.ToString());
        Assert.Equal("a", a.Key.ToString());

        // 0.5.3.8's session_id reaches the same grain as a HEAD connection with that id.
        var legacy = await TestServer.CallLegacy(server.Dispatcher, "default", "next", Msgpack.Array(), Msgpack.Map(), TestServer.Context(RapVersion.V0538, sessionId: "b"));
        Assert.Equal($"2|{b}", legacy.Value.AsString());
        Assert.Equal(1, await server.SessionItemsAsync("a"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_run_timeout_answers_RpcRunTimeError_and_cancels_the_functions_token(bool synchronous)
    {
        var cancelled = new TaskCompletionSource<GrainId?>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        await using var server = TestServer.Start(
            b => b
                .AddFunction(async (CancellationToken ct) =>
                {
                    var grain = CurrentGrainId();
                    ct.Register(() => cancelled.TrySetResult(grain));
                    await Task.Delay(Timeout.Infinite, CancellationToken.None); // ignores its token: the answer must not wait
                    return 1;
                }, "sleep_async")
                .AddFunction((CancellationToken ct) =>
                {
                    ct.Register(() => cancelled.TrySetResult(null));
                    release.Wait(TimeSpan.FromSeconds(30)); // blocks: rap abandons it at the deadline
                    return 1;
                }, "sleep_sync"),
            o => o.RunTimeout = TimeSpan.FromMilliseconds(300));
        var name = synchronous ? "sleep_sync" : "sleep_async";

        var (result, _) = await server.Head(name, Msgpack.Map()).WaitAsync(Patience);

        Assert.Equal(RapCallOutcome.FunctionError, result.Outcome);
        Assert.Equal("RpcRunTimeError", result.ExceptionName);
        Assert.Equal($"Call {name} timeout", result.Message);
        var grain = await cancelled.Task.WaitAsync(Patience);
        if (!synchronous)
        {
            Assert.Equal(server.Grains.GetGrain<IFunctionGroupGrain>("default").GetGrainId(), grain);
        }

        release.Set();
    }

    [Theory]
    [InlineData("async", null, 2)]
    [InlineData("sync", null, 2)]
    [InlineData("async", null, 1)]
    [InlineData("sync", null, 1)]
    [InlineData("async_session", "s1", 2)]
    public async Task Cancelling_the_callers_token_cancels_the_function_in_its_grain(string name, string? session, int workers)
    {
        // workers = 1: one function-group activation, so Orleans' cancel message cannot miss the one running the call.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var observed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = TestServer.Start(
            b => b
                .AddFunction(async (CancellationToken ct) =>
                {
                    started.SetResult();
                    try
                    {
                        await Task.Delay(Timeout.Infinite, ct);
                    }
                    finally
                    {
                        observed.SetResult();
                    }

                    return 0;
                }, "async")
                .AddFunction((CancellationToken ct) =>
                {
                    started.SetResult();
                    ct.WaitHandle.WaitOne(TimeSpan.FromSeconds(60));
                    observed.SetResult();
                    return 0;
                }, "sync")
                .AddFunction(async (RapSession s, CancellationToken ct) =>
                {
                    started.SetResult();
                    try
                    {
                        await Task.Delay(Timeout.Infinite, ct);
                    }
                    finally
                    {
                        observed.SetResult();
                    }

                    return 0;
                }, "async_session"),
            o =>
            {
                o.RunTimeout = TimeSpan.FromSeconds(60);
                o.MaxLocalWorkers = workers;
            });
        using var client = new CancellationTokenSource();

        var call = TestServer.CallHead(server.Dispatcher, "default", name, Msgpack.Map(), TestServer.Context(sessionId: session), client.Token);
        await started.Task.WaitAsync(Patience);
        await client.CancelAsync();

        // Far before the 60 s run timeout: the cancellation crossed into the grain and reached the function's token.
        var (result, _) = await call.WaitAsync(Patience);
        Assert.Equal(RapCallOutcome.FunctionError, result.Outcome);
        Assert.Equal("CancelledError", result.ExceptionName);
        await observed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_generators_producer_stays_a_bounded_distance_ahead_of_a_consumer_that_stops_pulling()
    {
        var produced = new StrongBox<long>();
        await using var server = TestServer.Start(
            b => b.AddFunction((CancellationToken ct) => Endless(produced, ct), "endless"),
            o =>
            {
                o.GeneratorBatchSize = 4;
                o.GeneratorBufferCapacity = 2;
            });
        var function = server.Registry.Find("default", "endless", RapFunctionKind.Generator)!;
        await using var stream = server.Dispatcher.StartGenerator(function, TestServer.Context(), RapArguments.Head(Msgpack.Bytes(Msgpack.Map())));
        using var output = new PooledBufferWriter();
        Assert.Equal(RapGeneratorStep.Item, await stream.MoveNextAsync(output).AsTask().WaitAsync(Patience));

        // An endless generator whose items are all ready at once: without back-pressure it would run forever. Orleans
        // pulls GeneratorBufferCapacity (2) chunks of GeneratorBatchSize (4) items per response (8 items measured), and
        // the grain may hold one more chunk in hand: 12 at most.
        const long Bound = (2 + 1) * 4;
        await Poll.UntilAsync(() => Interlocked.Read(ref produced.Value) >= 4, "the first chunk");
        await Poll.AtMostAsync(() => Interlocked.Read(ref produced.Value), Bound, $"the producer stays within {Bound} items", TimeSpan.FromMilliseconds(500));
        var held = Interlocked.Read(ref produced.Value);

        // Pulling lets it go on, again a bounded distance ahead of what was read.
        long read = 1;
        for (; read < 100; read++)
        {
            output.Reset();
            Assert.Equal(RapGeneratorStep.Item, await stream.MoveNextAsync(output).AsTask().WaitAsync(Patience));
            Assert.Equal(read, MessagePackValue.Parse(output.WrittenSpan).AsInt64());
        }

        Assert.True(Interlocked.Read(ref produced.Value) > held, "the producer follows the consumer");
        await Poll.AtMostAsync(() => Interlocked.Read(ref produced.Value), read + Bound, "the producer stays within its bound of the reads", TimeSpan.FromMilliseconds(300));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("s1")]
    public async Task Disposing_the_generator_stream_runs_the_generators_finally_in_its_grain(string? session)
    {
        var ended = new TaskCompletionSource<(bool Cancelled, GrainId? Grain)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var ranIn = new TaskCompletionSource<GrainId?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = TestServer.Start(b => b
            .AddFunction((CancellationToken ct) => UntilDisposed(ended, ranIn, ct), "gen")
            .AddFunction((RapSession s, CancellationToken ct) => UntilDisposed(ended, ranIn, ct), "session_gen"));
        var function = server.Registry.Find("default", session is null ? "gen" : "session_gen", RapFunctionKind.Generator)!;
        var stream = server.Dispatcher.StartGenerator(function, TestServer.Context(sessionId: session), RapArguments.Head(Msgpack.Bytes(Msgpack.Map())));
        using var output = new PooledBufferWriter();
        Assert.Equal(RapGeneratorStep.Item, await stream.MoveNextAsync(output).AsTask().WaitAsync(Patience));
        var grain = await ranIn.Task.WaitAsync(Patience);
        Assert.NotNull(grain);
        Assert.Equal(session is null ? "generator" : "session", grain!.Value.Type.ToString());
        Assert.False(ended.Task.IsCompleted);

        await stream.DisposeAsync().AsTask().WaitAsync(Patience);

        // Only the grain runs the generator: its finally ran because the disposal reached it, and saw the cancellation.
        var (cancelled, _) = await ended.Task.WaitAsync(Patience);
        Assert.True(cancelled);
    }

    private static GrainId? CurrentGrainId() => TestServer.CurrentGrainIdNow;

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

#pragma warning disable CS1998 // synchronous on purpose: every item is ready at once
    private static async IAsyncEnumerable<long> Endless(StrongBox<long> produced, [EnumeratorCancellation] CancellationToken ct)
    {
        for (long i = 0; ; i++)
        {
            ct.ThrowIfCancellationRequested();
            Interlocked.Increment(ref produced.Value);
            yield return i;
        }
    }
#pragma warning restore CS1998

    private static async IAsyncEnumerable<int> UntilDisposed(
        TaskCompletionSource<(bool, GrainId?)> ended, TaskCompletionSource<GrainId?> ranIn, [EnumeratorCancellation] CancellationToken ct)
    {
        ranIn.TrySetResult(CurrentGrainId());
        try
        {
            yield return 1;
            await Task.Delay(Timeout.Infinite, ct);
            yield return 2;
        }
        finally
        {
            ended.TrySetResult((ct.IsCancellationRequested, CurrentGrainId()));
        }
    }
}
