using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Tests.Grains;

/// <summary>
/// Where synchronous (def-style) functions run on the grain path (<see cref="RapServerOptions.SynchronousExecution"/>):
/// adaptive promotion and demotion (measured on a fake clock that the functions themselves move), the thread pool's
/// deadline, inline execution on the caller's thread, per-function overrides, and the call context in each case.
/// </summary>
public sealed class SynchronousExecutionTests
{
    private static TestServer Start(Action<IRapServerBuilder> register, Action<RapServerOptions>? configure = null, TimeProvider? time = null)
        => TestServer.Start(register, o =>
        {
            o.RunTimeout = TimeSpan.FromSeconds(5);
            configure?.Invoke(o);
        }, time);

    /// <summary>Starts a HEAD call on this thread; <paramref name="started"/> is what happened before the first pending await.</summary>
    private static async Task<(RapCallResult Result, MessagePackValue Value)> Call(RapDispatcher dispatcher, string name, MessagePackValue body, Action? started = null)
    {
        using var output = new PooledBufferWriter();
        var pending = dispatcher.InvokeAsync(TestServer.Context(), "default", name, RapArguments.Head(Msgpack.Bytes(body)), output);
        started?.Invoke();
        var result = await pending;
        return (result, result.IsSuccess ? MessagePackValue.Parse(output.WrittenSpan) : MessagePackValue.Nil);
    }

    [Fact]
    public async Task Adaptive_promotes_a_cheap_function_then_demotes_it_after_one_slow_inline_call_and_it_keeps_answering()
    {
        var time = new ManualTimeProvider();
        string? ranIn = null;
        await using var provider = Start(
            b => b.AddFunction((long a, bool slow) =>
            {
                ranIn = TestServer.GrainNow;
                if (slow)
                {
                    // The clock the dispatcher times functions with: this call "takes" a second.
                    time.Advance(TimeSpan.FromSeconds(1));
                }

                return a * 2;
            }, "work"),
            time: time);
        var dispatcher = provider.GetRequiredService<RapDispatcher>();
        var work = dispatcher.Registry.Find("default", "work", RapFunctionKind.Normal)!;

        // On probation: thread-pool runs until InitialProbation (16) calls in a row were fast.
        Assert.False(provider.Executor.RunsInline(work));
        for (var i = 0; i < 16; i++)
        {
            Assert.False(provider.Executor.RunsInline(work), "promoted after " + i + " calls");
            var (result, value) = await Call(dispatcher, "work", Msgpack.Map(("a", i), ("slow", false)));
            Assert.True(result.IsSuccess, result.ToString());
            Assert.Equal(i * 2, value.AsInt64());
        }

        Assert.True(provider.Executor.RunsInline(work));

        // The probation runs were thread-pool work items (outside the group's grain turn); now the function runs in the turn.
        Assert.NotEqual("functiongroup/default", ranIn);
        var (slowResult, slowValue) = await Call(dispatcher, "work", Msgpack.Map(("a", 21), ("slow", true)));
        Assert.True(slowResult.IsSuccess, slowResult.ToString());
        Assert.Equal(42, slowValue.AsInt64());
        Assert.Equal("functiongroup/default", ranIn);

        // One slow inline call is enough: back to the pool, and promotion now needs twice as many fast calls.
        Assert.False(provider.Executor.RunsInline(work));
        for (var i = 0; i < 32; i++)
        {
            Assert.False(provider.Executor.RunsInline(work), "promoted again after " + i + " calls");
            var (result, value) = await Call(dispatcher, "work", Msgpack.Map(("a", 100 + i), ("slow", false)));
            Assert.True(result.IsSuccess, result.ToString());
            Assert.Equal((100 + i) * 2, value.AsInt64());
            Assert.NotEqual("functiongroup/default", ranIn);
        }

        Assert.True(provider.Executor.RunsInline(work));
    }

    [Fact]
    public async Task A_slow_call_on_probation_restarts_the_count()
    {
        var time = new ManualTimeProvider();
        await using var provider = Start(
            b => b.AddFunction((bool slow) =>
            {
                if (slow)
                {
                    time.Advance(TimeSpan.FromMilliseconds(1));
                }

                return slow;
            }, "work"),
            time: time);
        var dispatcher = provider.GetRequiredService<RapDispatcher>();
        var work = dispatcher.Registry.Find("default", "work", RapFunctionKind.Normal)!;

        for (var i = 0; i < 15; i++)
        {
            Assert.True((await Call(dispatcher, "work", Msgpack.Map(("slow", false)))).Result.IsSuccess);
        }

        Assert.True((await Call(dispatcher, "work", Msgpack.Map(("slow", true)))).Result.IsSuccess);
        for (var i = 0; i < 15; i++)
        {
            Assert.True((await Call(dispatcher, "work", Msgpack.Map(("slow", false)))).Result.IsSuccess);
        }

        Assert.False(provider.Executor.RunsInline(work));
        Assert.True((await Call(dispatcher, "work", Msgpack.Map(("slow", false)))).Result.IsSuccess);
        Assert.True(provider.Executor.RunsInline(work));
    }

    [Fact]
    public async Task After_a_long_inline_run_a_demotion_starts_the_probation_over()
    {
        var time = new ManualTimeProvider();
        await using var provider = Start(
            b => b.AddFunction((bool slow) =>
            {
                if (slow)
                {
                    time.Advance(TimeSpan.FromMilliseconds(1));
                }

                return slow;
            }, "work"),
            time: time);
        var dispatcher = provider.GetRequiredService<RapDispatcher>();
        var work = dispatcher.Registry.Find("default", "work", RapFunctionKind.Normal)!;

        async Task Fast(int calls)
        {
            for (var i = 0; i < calls; i++)
            {
                Assert.True((await Call(dispatcher, "work", Msgpack.Map(("slow", false)))).Result.IsSuccess);
            }
        }

        // Promoted, then slow at once: the next probation is 32 calls.
        await Fast(16);
        Assert.True((await Call(dispatcher, "work", Msgpack.Map(("slow", true)))).Result.IsSuccess);
        await Fast(31);
        Assert.False(provider.Executor.RunsInline(work));
        await Fast(1);
        Assert.True(provider.Executor.RunsInline(work));

        // 1024 fast inline calls, then one slow one (a GC pause, say): the probation is back to 16.
        await Fast(1024);
        Assert.True(provider.Executor.RunsInline(work));
        Assert.True((await Call(dispatcher, "work", Msgpack.Map(("slow", true)))).Result.IsSuccess);
        Assert.False(provider.Executor.RunsInline(work));
        await Fast(15);
        Assert.False(provider.Executor.RunsInline(work));
        await Fast(1);
        Assert.True(provider.Executor.RunsInline(work));
    }

    [Fact]
    public async Task ThreadPool_mode_answers_at_the_run_timeout_while_the_function_still_blocks()
    {
        using var gate = new ManualResetEventSlim();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var returned = false;
        await using var provider = Start(
            b => b.AddFunction(() =>
            {
                entered.TrySetResult();
                gate.Wait(TimeSpan.FromSeconds(30));
                Volatile.Write(ref returned, true);
                return 1;
            }, "block"),
            o =>
            {
                o.SynchronousExecution = RapSynchronousExecution.ThreadPool;
                o.RunTimeout = TimeSpan.FromMilliseconds(300);
            });
        var dispatcher = provider.GetRequiredService<RapDispatcher>();
        Assert.False(provider.Executor.RunsInline(dispatcher.Registry.Find("default", "block", RapFunctionKind.Normal)!));

        var (result, _) = await Call(dispatcher, "block", Msgpack.Map());

        // Answered while the function is still blocked on the gate.
        Assert.True(entered.Task.IsCompleted);
        Assert.False(Volatile.Read(ref returned));
        Assert.Equal(RapCallOutcome.FunctionError, result.Outcome);
        Assert.Equal("RpcRunTimeError", result.ExceptionName);
        Assert.Equal("Call block timeout", result.Message);
        gate.Set();
    }

    [Fact]
    public async Task Inline_mode_runs_a_synchronous_function_in_the_grain_turn()
    {
        var ranIn = new List<string?>();
        await using var provider = Start(
            b => b.AddFunction((long a, long b) =>
            {
                ranIn.Add(TestServer.GrainNow);
                return a + b;
            }, "sum"),
            o => o.SynchronousExecution = RapSynchronousExecution.Inline);
        var dispatcher = provider.GetRequiredService<RapDispatcher>();
        Assert.True(provider.Executor.RunsInline(dispatcher.Registry.Find("default", "sum", RapFunctionKind.Normal)!));

        for (var i = 0; i < 3; i++)
        {
            var (result, value) = await Call(dispatcher, "sum", Msgpack.Map(("a", i), ("b", 10)));
            Assert.True(result.IsSuccess, result.ToString());
            Assert.Equal(i + 10, value.AsInt64());
        }

        // In the turn itself, never on a pool work item.
        Assert.Equal(["functiongroup/default", "functiongroup/default", "functiongroup/default"], ranIn);
    }

    [Fact]
    public async Task The_attribute_overrides_the_server_option_per_function()
    {
        await using var provider = Start(
            b => b
                .AddFunction([RapFunction(SynchronousExecution = RapSynchronousExecution.Inline)] (long a) => a, "cheap")
                .AddFunctionGroup<Mixed>()
                .AddFunction(async () => await Task.FromResult(1), "async"),
            o => o.SynchronousExecution = RapSynchronousExecution.ThreadPool);
        var dispatcher = provider.GetRequiredService<RapDispatcher>();

        Assert.True(provider.Executor.RunsInline(dispatcher.Registry.Find("default", "cheap", RapFunctionKind.Normal)!));
        Assert.False(provider.Executor.RunsInline(dispatcher.Registry.Find("mixed", "Blocking", RapFunctionKind.Normal)!));
        Assert.True(provider.Executor.RunsInline(dispatcher.Registry.Find("mixed", "Cheap", RapFunctionKind.Normal)!));
        Assert.True(provider.Executor.RunsInline(dispatcher.Registry.Find("mixed", "cheap_alias", RapFunctionKind.Normal)!));
        Assert.False(provider.Executor.RunsInline(dispatcher.Registry.Find("mixed", "Plain", RapFunctionKind.Normal)!));
        Assert.False(provider.Executor.RunsInline(dispatcher.Registry.Find("default", "async", RapFunctionKind.Normal)!)); // not synchronous
        Assert.Equal(5, (await Call(dispatcher, "cheap", Msgpack.Map(("a", 5)))).Value.AsInt64());
    }

    [RapGroup("mixed")]
    public sealed class Mixed
    {
        [RapFunction(SynchronousExecution = RapSynchronousExecution.ThreadPool)]
        public static int Blocking() => 1;

        [RapFunction(SynchronousExecution = RapSynchronousExecution.Inline, Aliases = ["cheap_alias"])]
        public static int Cheap() => 2;

        public static int Plain() => 3;
    }

    [Theory]
    [InlineData(RapSynchronousExecution.Inline)]
    [InlineData(RapSynchronousExecution.ThreadPool)]
    [InlineData(RapSynchronousExecution.Adaptive)]
    public async Task The_call_context_is_visible_to_functions_that_read_it(RapSynchronousExecution mode)
    {
        IRapCallContextAccessor? accessor = null;
        await using var provider = Start(
            b => b
                .AddFunction(() => $"{RapCallContext.Current?.Function?.Name}|{accessor!.CallContext?.ConnectionId}", "sync")
                .AddFunction(async () =>
                {
                    await Task.Yield();
                    return $"{RapCallContext.Current?.Function?.Name}|{RapCallContext.Current?.ConnectionId}";
                }, "async"),
            o => o.SynchronousExecution = mode,
            time: new ManualTimeProvider()); // every call "takes" no time: adaptive promotion does not depend on the machine's load
        accessor = provider.GetRequiredService<IRapCallContextAccessor>();
        var dispatcher = provider.GetRequiredService<RapDispatcher>();
        var sync = dispatcher.Registry.Find("default", "sync", RapFunctionKind.Normal)!;

        // Adaptive: both the probation (pool) runs and, after them, inline runs.
        for (var i = 0; i < 20; i++)
        {
            var (result, value) = await Call(dispatcher, "sync", Msgpack.Map());
            Assert.True(result.IsSuccess, result.ToString());
            Assert.Equal("sync|c1", value.AsString());
            Assert.Null(RapCallContext.Current);
        }

        Assert.Equal(mode != RapSynchronousExecution.ThreadPool, provider.Executor.RunsInline(sync));
        var (asyncResult, asyncValue) = await Call(dispatcher, "async", Msgpack.Map());
        Assert.True(asyncResult.IsSuccess, asyncResult.ToString());
        Assert.Equal("async|c1", asyncValue.AsString());
        Assert.Null(RapCallContext.Current);
    }

    [Fact]
    public void The_threshold_must_be_positive_and_the_mode_known()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TestServer(configure: o => o.InlineSynchronousThreshold = TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TestServer(configure: o => o.SynchronousExecution = (RapSynchronousExecution)7));
    }
}
