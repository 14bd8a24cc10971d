using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Errors;

namespace OrleansRpc.Server.Tests.Dispatch;

public sealed class DispatcherTests
{
    [Fact]
    public async Task Unknown_function_is_not_found_with_raps_text()
    {
        using var server = new TestServer();
        var (result, _) = await server.Head("nope", Msgpack.Map());
        Assert.Equal(404, result.StatusCode(RapVersion.Head));
        Assert.Equal(502, result.StatusCode(RapVersion.V0538));
        Assert.Equal("Not found func. name: nope", result.Message);
    }

    [Fact]
    public async Task Private_function_is_refused_to_remote_peers_with_each_generations_text()
    {
        using var server = new TestServer(r => r.Register(() => "top secret", "secret_info", isPrivate: true));
        var head = await server.Head("secret_info", Msgpack.Map(), TestServer.Context(RapVersion.Head, local: false));
        Assert.Equal(RapErrorKind.FuncNotFound, head.Result.ErrorKind);
        Assert.Equal("No permission to call:`secret_info`", head.Result.Message);

        var legacy = await TestServer.CallLegacy(server.Dispatcher, "default", "secret_info", Msgpack.Array(), Msgpack.Map(), TestServer.Context(RapVersion.V0538, local: false));
        Assert.Equal("No permission to call:`secret_info`, ('10.0.0.7', 40001)", legacy.Result.Message);

        var local = await server.Head("secret_info", Msgpack.Map(), TestServer.Context(RapVersion.Head, local: true));
        Assert.Equal("top secret", local.Value.AsString());
    }

    [Fact]
    public void Lookup_follows_each_generations_kinds()
    {
        using var server = new TestServer(r =>
        {
            r.Register((int n) => Items(n), "gen");
            r.Register((IRapChannel c) => Task.CompletedTask, "chan");
        });
        var head = TestServer.Context(RapVersion.Head);
        var legacy = TestServer.Context(RapVersion.V0538);
        Assert.True(server.Dispatcher.Resolve(head, RapFrameKind.Channel, "default", "gen", out _).IsSuccess);
        Assert.False(server.Dispatcher.Resolve(head, RapFrameKind.Call, "default", "gen", out _).IsSuccess);
        Assert.True(server.Dispatcher.Resolve(legacy, RapFrameKind.Call, "default", "gen", out _).IsSuccess);
        Assert.False(server.Dispatcher.Resolve(legacy, RapFrameKind.Channel, "default", "gen", out _).IsSuccess);
        Assert.True(server.Dispatcher.Resolve(head, RapFrameKind.Channel, "default", "chan", out _).IsSuccess);
        Assert.Equal("Not found func. name: chan", server.Dispatcher.Resolve(head, RapFrameKind.Call, "default", "chan", out _).Message);
    }

    [Fact]
    public async Task Function_exceptions_keep_their_python_name()
    {
        using var server = new TestServer(r =>
        {
            r.Register(int (string kind) => kind switch
            {
                "value" => throw new ArgumentException("boom"),
                "zero" => throw new DivideByZeroException("zero"),
                "custom" => throw new CustomProblem("mine"),
                _ => throw new RapFunctionException("KeyError", "k"),
            }, "raise");
        });
        Assert.Equal(("ValueError", "boom"), Name(await server.Head("raise", Msgpack.Map(("kind", "value")))));
        Assert.Equal(("ZeroDivisionError", "zero"), Name(await server.Head("raise", Msgpack.Map(("kind", "zero")))));
        Assert.Equal(("CustomProblem", "mine"), Name(await server.Head("raise", Msgpack.Map(("kind", "custom")))));
        Assert.Equal(("KeyError", "k"), Name(await server.Head("raise", Msgpack.Map(("kind", "other")))));
        var legacy = await server.Legacy("raise", Msgpack.Array("value"));
        Assert.Equal(200, legacy.Result.StatusCode(RapVersion.V0538));
        Assert.Equal(301, (await server.Head("raise", Msgpack.Map(("kind", "value")))).Result.StatusCode(RapVersion.Head));

        static (string?, string?) Name((RapCallResult Result, MessagePackValue _) x) => (x.Result.ExceptionName, x.Result.Message);
    }

    [Fact]
    public async Task Synchronous_functions_run_on_the_thread_pool_not_the_callers_thread()
    {
        var functionThread = 0;
        var wasPool = false;
        string? grain = "unset";
        using var server = new TestServer(r => r.Register(() =>
        {
            functionThread = Environment.CurrentManagedThreadId;
            wasPool = Thread.CurrentThread.IsThreadPoolThread;
            grain = TestServer.GrainNow;
            return 1;
        }, "where"));

        var callerThread = 0;
        RapCallResult result = default;
        var caller = new Thread(() =>
        {
            callerThread = Environment.CurrentManagedThreadId;
            result = server.Head("where", Msgpack.Map()).GetAwaiter().GetResult().Result;
        });
        caller.Start();
        caller.Join();

        Assert.True(result.IsSuccess);
        Assert.NotEqual(callerThread, functionThread);
        Assert.True(wasPool);

        // A new synchronous function starts on probation: a pool work item, outside its group's grain turn.
        Assert.NotEqual("functiongroup/default", grain);
        Assert.NotEqual("unset", grain);
    }

    [Fact]
    public async Task Run_timeout_answers_RpcRunTimeError_and_cancels_the_function()
    {
        var time = new ManualTimeProvider();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new TestServer(
            r => r.Register(async (CancellationToken ct) =>
            {
                ct.Register(() => cancelled.TrySetResult());
                started.SetResult();
                await Task.Delay(Timeout.Infinite, CancellationToken.None); // ignores cancellation on purpose: the answer must not wait
                return 1;
            }, "sleep_ms"),
            o => o.RunTimeout = TimeSpan.FromSeconds(3),
            time);

        var call = server.Head("sleep_ms", Msgpack.Map());
        await started.Task;
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        var (result, _) = await call;

        Assert.Equal(RapCallOutcome.FunctionError, result.Outcome);
        Assert.Equal("RpcRunTimeError", result.ExceptionName);
        Assert.Equal("Call sleep_ms timeout", result.Message);
        Assert.Equal(301, result.StatusCode(RapVersion.Head));
        Assert.Equal(200, result.StatusCode(RapVersion.V0538));
        await cancelled.Task;
    }

    [Fact]
    public async Task A_blocking_synchronous_function_is_answered_at_the_deadline_and_its_late_result_dropped()
    {
        var time = new ManualTimeProvider();
        var started = new ManualResetEventSlim();
        var release = new ManualResetEventSlim();
        var finished = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new TestServer(
            r => r.Register((CancellationToken ct) =>
            {
                started.Set();
                release.Wait();
                finished.SetResult(ct.IsCancellationRequested);
                return "late";
            }, "block"),
            o => o.RunTimeout = TimeSpan.FromSeconds(3),
            time);

        using var output = new PooledBufferWriter();
        var call = server.Dispatcher.InvokeAsync(TestServer.Context(), "default", "block", RapArguments.Head(Msgpack.Bytes(Msgpack.Map())), output).AsTask();
        started.Wait();
        time.Advance(TimeSpan.FromSeconds(3));
        var result = await call;
        Assert.Equal("Call block timeout", result.Message);

        release.Set();
        Assert.True(await finished.Task);
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public async Task An_async_function_finishing_after_the_timeout_never_writes_into_the_callers_buffer()
    {
        var time = new ManualTimeProvider();
        var gate = new TaskCompletionSource<string>(); // continuations inline: the late write happens inside SetResult
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new TestServer(
            r => r.Register(async () =>
            {
                started.SetResult();
                return await gate.Task;
            }, "late"),
            o => o.RunTimeout = TimeSpan.FromSeconds(3),
            time);

        using var output = new PooledBufferWriter();
        var call = server.Dispatcher.InvokeAsync(TestServer.Context(), "default", "late", RapArguments.Head(Msgpack.Bytes(Msgpack.Map())), output).AsTask();
        await started.Task;
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal("Call late timeout", (await call).Message);

        gate.SetResult(new string('x', 100));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public async Task Synchronous_results_and_errors_come_back_through_the_work_item()
    {
        using var server = new TestServer(r =>
        {
            r.Register((int a, int b) => a + b, "sum");
            r.Register(int (int a) => throw new ArgumentException("neg"), "bad");
        });
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(i + 1, (await server.Head("sum", Msgpack.Map(("a", i), ("b", 1)))).Value.AsInt64());
            Assert.Equal("ValueError", (await server.Head("bad", Msgpack.Map(("a", i)))).Result.ExceptionName);
            Assert.Equal("Parse error. missing a required argument: 'b'", (await server.Head("sum", Msgpack.Map(("a", i)))).Result.Message);
        }
    }

    [Fact]
    public async Task Expired_deadline_times_out_at_once_and_a_future_deadline_runs()
    {
        var time = new ManualTimeProvider();
        var calls = 0;
        using var server = new TestServer(r => r.Register(() => ++calls, "f"), time: time);
        var past = await server.Head("f", Msgpack.Map(), TestServer.Context(deadline: time.GetUtcNow().AddSeconds(-1)));
        Assert.Equal("Call f timeout", past.Result.Message);
        Assert.Equal(0, calls);
        var future = await server.Head("f", Msgpack.Map(), TestServer.Context(deadline: time.GetUtcNow().AddSeconds(5)));
        Assert.True(future.Result.IsSuccess);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Caller_cancellation_cancels_the_function()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var observed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new TestServer(
            r => r.Register(async (CancellationToken ct) =>
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
            }, "wait"),
            o =>
            {
                // Far beyond the wait below: only the caller's cancellation can end the function in time.
                o.RunTimeout = TimeSpan.FromSeconds(60);
                o.MaxLocalWorkers = 4;
            });
        using var cts = new CancellationTokenSource();
        var call = TestServer.CallHead(server.Dispatcher, "default", "wait", Msgpack.Map(), cancellationToken: cts.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await cts.CancelAsync();
        var (result, _) = await call.WaitAsync(TimeSpan.FromSeconds(20));
        await observed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(RapCallOutcome.FunctionError, result.Outcome);
        Assert.Equal("CancelledError", result.ExceptionName);
    }

    [Fact]
    public async Task Call_context_is_available_through_the_accessor_and_carries_connection_facts()
    {
        using var server = new TestServer(r => r.Register(() =>
        {
            var context = RapCallContext.Current!;
            return $"{context.ConnectionId}|{context.Version}|{context.Function!.Group}/{context.Function.Name}|{context.Peer.Host}";
        }, "who"));
        var (result, value) = await server.Head("who", Msgpack.Map());
        Assert.True(result.IsSuccess);
        Assert.Equal("c1|Head|default/who|10.0.0.7", value.AsString());
        Assert.Null(RapCallContext.Current);
    }

    [Fact]
    public async Task Async_results_are_written_after_completion()
    {
        using var server = new TestServer(r =>
        {
            r.Register(async (int a) => { await Task.Yield(); return a * 2; }, "task");
            r.Register(async (int a) => { await Task.Yield(); return (double)a; }, "valuetask_like");
            r.Register((int a) => new ValueTask<string>(a.ToString(System.Globalization.CultureInfo.InvariantCulture)), "vt");
            r.Register(async () => await Task.Yield(), "void_task");
        });
        Assert.Equal(6, (await server.Head("task", Msgpack.Map(("a", 3)))).Value.AsInt64());
        Assert.Equal(MessagePackValueKind.Float64, (await server.Head("valuetask_like", Msgpack.Map(("a", 3)))).Value.Kind);
        Assert.Equal("3", (await server.Head("vt", Msgpack.Map(("a", 3)))).Value.AsString());
        Assert.True((await server.Head("void_task", Msgpack.Map())).Value.IsNil);
    }

    private static async IAsyncEnumerable<int> Items(int n)
    {
        for (var i = 0; i < n; i++)
        {
            await Task.Yield();
            yield return i;
        }
    }

    private sealed class CustomProblem(string message) : Exception(message);
}
