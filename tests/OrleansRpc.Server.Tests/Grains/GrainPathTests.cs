using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansRpc.Grains.Runtime;
using OrleansRpc.Grains.Streams;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;

namespace OrleansRpc.Server.Tests.Grains;

/// <summary>The production path as <c>AddRapServer</c> wires it (no opt-in): grains, grain streams, session grains.</summary>
public sealed class GrainPathTests
{
    private static ServiceProvider Start(Action<IRapServerBuilder> register, Action<RapServerOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        services?.Invoke(collection);
        collection.AddMetrics();
        register(collection.AddRapServer(o =>
        {
            o.RunTimeout = TimeSpan.FromSeconds(5);
            configure?.Invoke(o);
        }));
        return TestServer.StartSilo(collection.BuildServiceProvider());
    }

    [Fact]
    public async Task A_unary_call_through_the_default_path_runs_in_a_function_group_activation()
    {
        var where = new ConcurrentQueue<string>();
        var calls = new ConcurrentQueue<string>();
        await using var provider = Start(
            b => b
                .AddFunction((int a, int b) =>
                {
                    where.Enqueue("sync " + (RapCallContext.Current?.Function?.Name ?? "none"));
                    return a + b;
                }, "sum_sync")
                .AddFunction(async (int a, int b) =>
                {
                    // Runs inline in the grain turn up to its first await.
                    where.Enqueue("async " + (RuntimeContext.Current?.GrainId.ToString() ?? "none"));
                    await Task.Yield();
                    return a + b;
                }, "sum_async", group: "math"),
            services: s => s.AddSingleton<OrleansRpc.Grains.IIncomingGrainCallFilter>(new RecordingFilter(calls)));
        var dispatcher = provider.GetRequiredService<RapDispatcher>();
        Assert.True(dispatcher.UsesGrains);

        var sync = await TestServer.CallHead(dispatcher, "default", "sum_sync", Msgpack.Map(("a", 1), ("b", 2)));
        var legacy = await TestServer.CallLegacy(dispatcher, "math", "sum_async", Msgpack.Array(3, 4), Msgpack.Map(), TestServer.Context(RapVersion.V0538));

        Assert.True(sync.Result.IsSuccess, sync.Result.ToString());
        Assert.Equal(3, sync.Value.AsInt64());
        Assert.True(legacy.Result.IsSuccess, legacy.Result.ToString());
        Assert.Equal(7, legacy.Value.AsInt64());
        Assert.Equal(["sync sum_sync", "async functiongroup/math"], where);

        // Each call was a grain call on the group's FunctionGroupGrain (sync: the worker-exclusive method; async: interleaved).
        Assert.Equal(
            ["InvokeAsync functiongroup/default FunctionGroupGrain", "InvokeInterleavedAsync functiongroup/math FunctionGroupGrain"],
            calls);
    }

    private sealed class RecordingFilter(ConcurrentQueue<string> calls) : OrleansRpc.Grains.IIncomingGrainCallFilter
    {
        public Task Invoke(OrleansRpc.Grains.IIncomingGrainCallContext context)
        {
            calls.Enqueue($"{context.MethodName} {context.TargetId} {context.Grain.GetType().Name}");
            return context.Invoke();
        }
    }

    [Fact]
    public async Task Synchronous_calls_of_a_group_run_at_most_MaxLocalWorkers_at_once_while_async_calls_interleave()
    {
        var gate = new ManualResetEventSlim();
        var asyncGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new SemaphoreSlim(0);
        var asyncEntered = new SemaphoreSlim(0);
        var running = 0;
        var maxRunning = 0;
        await using var provider = Start(
            b => b
                .AddFunction(() =>
                {
                    var now = Interlocked.Increment(ref running);
                    InterlockedMax(ref maxRunning, now);
                    entered.Release();
                    gate.Wait();
                    Interlocked.Decrement(ref running);
                    return now;
                }, "block", group: "g")
                .AddFunction(async () =>
                {
                    asyncEntered.Release();
                    await asyncGate.Task;
                    return 1;
                }, "wait", group: "g"),
            o => o.MaxLocalWorkers = 2);
        var dispatcher = provider.GetRequiredService<RapDispatcher>();

        var blocked = Enumerable.Range(0, 5).Select(_ => TestServer.CallHead(dispatcher, "g", "block", Msgpack.Map())).ToArray();
        Assert.True(await entered.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(await entered.WaitAsync(TimeSpan.FromSeconds(10)));

        // Both workers are blocked: async calls of the same group still start (all of them), the third sync call does not.
        var waiting = Enumerable.Range(0, 6).Select(_ => TestServer.CallHead(dispatcher, "g", "wait", Msgpack.Map())).ToArray();
        for (var i = 0; i < waiting.Length; i++)
        {
            Assert.True(await asyncEntered.WaitAsync(TimeSpan.FromSeconds(10)), "async call " + i + " did not start");
        }

        Assert.False(await entered.WaitAsync(TimeSpan.FromMilliseconds(300)));
        asyncGate.SetResult();
        gate.Set();
        foreach (var (result, _) in await Task.WhenAll(blocked.Concat(waiting)))
        {
            Assert.True(result.IsSuccess, result.ToString());
        }

        Assert.Equal(2, maxRunning);
    }

    [Fact]
    public async Task The_run_timeout_is_the_grain_calls_response_timeout()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var provider = Start(
            b => b.AddFunction((CancellationToken ct) =>
            {
                // Blocks until the grain runtime cancels the callee at its response timeout.
                ct.WaitHandle.WaitOne(TimeSpan.FromSeconds(20));
                if (ct.IsCancellationRequested)
                {
                    cancelled.TrySetResult();
                }

                return 1;
            }, "block"),
            o => o.RunTimeout = TimeSpan.FromMilliseconds(300));
        var factory = provider.GetRequiredService<IMeterFactory>();
        var timeouts = 0L;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == factory && instrument.Name == "orleansrpc-grains-call-timeouts")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref timeouts, value));
        listener.Start();
        var dispatcher = provider.GetRequiredService<RapDispatcher>();

        var (result, _) = await TestServer.CallHead(dispatcher, "default", "block", Msgpack.Map());

        Assert.Equal(RapCallOutcome.FunctionError, result.Outcome);
        Assert.Equal("RpcRunTimeError", result.ExceptionName);
        Assert.Equal("Call block timeout", result.Message);
        Assert.Equal(1, Interlocked.Read(ref timeouts));
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_generator_produces_into_a_rap_stream_and_blocks_at_its_bound_until_pulled()
    {
        var produced = new SemaphoreSlim(0);
        await using var provider = Start(b => b.AddFunction((CancellationToken ct) => Count(produced, ct), "count"), o => o.GeneratorBufferCapacity = 3);
        var dispatcher = provider.GetRequiredService<RapDispatcher>();
        var function = dispatcher.Registry.Find("default", "count", RapFunctionKind.Generator)!;

        Assert.True(dispatcher.StartGenerator(function, TestServer.Context(), RapArguments.Head(Msgpack.Bytes(Msgpack.Map())), out var stream).IsSuccess);
        await using (stream)
        {
            var rapStream = provider.GetStreamProvider(RapStreams.ProviderName).GetStream<RapGeneratorBatch>(stream!.StreamId);
            Assert.Equal(RapStreams.GeneratorNamespace, stream.StreamId.Namespace);
            Assert.Single(await rapStream.GetAllSubscriptionHandles());

            // Three items fill the subscription's buffer; the fourth is produced and its OnNextAsync waits.
            for (var i = 0; i < 4; i++)
            {
                Assert.True(await produced.WaitAsync(TimeSpan.FromSeconds(10)));
            }

            Assert.False(await produced.WaitAsync(TimeSpan.FromMilliseconds(200)));
            Assert.Equal(4, stream.Produced);

            using var output = new PooledBufferWriter();
            Assert.Equal(RapGeneratorStep.Item, await stream.MoveNextAsync(output));
            Assert.Equal(0, MessagePackValue.Parse(output.WrittenSpan).AsInt64());

            // One pull makes room for exactly one more item.
            Assert.True(await produced.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.False(await produced.WaitAsync(TimeSpan.FromMilliseconds(200)));
            Assert.Equal(5, stream.Produced);
        }
    }

    [Fact]
    public async Task A_generator_error_reaches_the_consumer_after_the_items_before_it()
    {
        await using var provider = Start(b => b.AddFunction(FailAfterTwo, "fail"));
        var dispatcher = provider.GetRequiredService<RapDispatcher>();
        var function = dispatcher.Registry.Find("default", "fail", RapFunctionKind.Generator)!;
        dispatcher.StartGenerator(function, TestServer.Context(RapVersion.V0538), RapArguments.Legacy(default, default), out var stream);
        await using (stream)
        {
            using var output = new PooledBufferWriter();
            Assert.Equal(RapGeneratorStep.Item, await stream!.MoveNextAsync(output));
            Assert.Equal(RapGeneratorStep.Item, await stream.MoveNextAsync(output));
            Assert.Equal(RapGeneratorStep.Failed, await stream.MoveNextAsync(output));
            Assert.Equal("ValueError", stream.Failure.ExceptionName);
            Assert.Equal("boom", stream.Failure.Message);
        }
    }

    public enum EndCause
    {
        Drop,
        Return,
        Raise,
        ConnectionLoss,
    }

    [Theory]
    [InlineData(EndCause.Drop, RapChannelEndReason.PeerDropped)]
    [InlineData(EndCause.Return, RapChannelEndReason.HandlerCompleted)]
    [InlineData(EndCause.Raise, RapChannelEndReason.HandlerFaulted)]
    [InlineData(EndCause.ConnectionLoss, RapChannelEndReason.ConnectionLost)]
    public async Task A_channel_is_a_pair_of_rap_streams_that_ends_exactly_once(EndCause cause, RapChannelEndReason expected)
    {
        var handlerEnded = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var provider = Start(b => b.AddFunction(async (IRapChannel channel) =>
        {
            try
            {
                await foreach (var message in channel.WithCancellation(channel.Aborted))
                {
                    switch (message.AsString())
                    {
                        case "return":
                            return;
                        case "raise":
                            throw new InvalidOperationException("raised");
                        default:
                            await channel.WriteAsync(message);
                            break;
                    }
                }
            }
            finally
            {
                handlerEnded.TrySetResult(channel.Aborted.IsCancellationRequested);
            }
        }, "echo"));
        var dispatcher = provider.GetRequiredService<RapDispatcher>();
        var function = dispatcher.Registry.Find("default", "echo", RapFunctionKind.Channel)!;
        using var connection = new CancellationTokenSource();
        using var channel = dispatcher.OpenChannel(function, TestServer.Context(), "ch1", connection.Token);
        var streams = provider.GetStreamProvider(RapStreams.ProviderName);
        Assert.Single(await streams.GetStream<MessagePackValue>(channel.IncomingStreamId).GetAllSubscriptionHandles());
        Assert.Single(await streams.GetStream<MessagePackValue>(channel.OutgoingStreamId).GetAllSubscriptionHandles());

        await channel.DeliverAsync("hello");
        Assert.Equal("hello", (await channel.Outgoing.ReadAsync()).AsString());

        switch (cause)
        {
            case EndCause.Drop:
                Assert.True(channel.Drop());
                break;
            case EndCause.Return:
                await channel.DeliverAsync("return");
                break;
            case EndCause.Raise:
                await channel.DeliverAsync("raise");
                break;
            case EndCause.ConnectionLoss:
                await connection.CancelAsync();
                break;
        }

        Assert.Equal(expected, await channel.Completion.WaitAsync(TimeSpan.FromSeconds(10)));
        var aborted = await handlerEnded.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await channel.HandlerTask.WaitAsync(TimeSpan.FromSeconds(10));

        // External ends cancel the handler; either way the end happened once and both streams are over.
        Assert.Equal(cause is EndCause.Drop or EndCause.ConnectionLoss, aborted);
        Assert.False(channel.Drop());
        Assert.False(channel.Abort());
        Assert.Equal(expected, await channel.Completion);
        Assert.Equal(cause == EndCause.Raise, channel.Fault is InvalidOperationException);
        await channel.Outgoing.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<RapChannelClosedException>(async () => await channel.DeliverAsync("late"));
    }

    [Fact]
    public async Task Sessions_of_both_generations_are_session_grains_collected_when_idle_on_the_fake_clock()
    {
        var time = new ManualTimeProvider();
        var logs = new ConcurrentQueue<string>();
        await using var provider = Start(
            b => b.AddFunction((RapSession session, string? put = null) =>
            {
                if (put is not null)
                {
                    session.Items["v"] = put;
                }

                return session.Items.TryGetValue("v", out var v) ? (string?)v : null;
            }, "state"),
            o => o.SessionIdleTimeout = TimeSpan.FromSeconds(20),
            s => s
                .AddSingleton<TimeProvider>(time)
                .AddLogging(l => l.SetMinimumLevel(LogLevel.Debug).AddProvider(new CapturingLoggerProvider(logs))));
        var dispatcher = provider.GetRequiredService<RapDispatcher>();
        var store = dispatcher.Sessions;

        // 0.5.3.8: the session_id header; HEAD: the connection is the session.
        var legacy = TestServer.Context(RapVersion.V0538, sessionId: "s1");

        Assert.True((await TestServer.CallLegacy(dispatcher, "default", "state", Msgpack.Array(), Msgpack.Map(("put", "legacy")), legacy)).Result.IsSuccess);
        Assert.True((await TestServer.CallHead(dispatcher, "default", "state", Msgpack.Map(("put", "head")), HeadContext("conn-7"))).Result.IsSuccess);
        Assert.Equal("legacy", (await TestServer.CallLegacy(dispatcher, "default", "state", Msgpack.Array(), Msgpack.Map(), TestServer.Context(RapVersion.V0538, sessionId: "s1"))).Value.AsString());
        Assert.Equal("head", (await TestServer.CallHead(dispatcher, "default", "state", Msgpack.Map(), HeadContext("conn-7"))).Value.AsString());
        Assert.Equal(2, store.Count);

        // The collection quantum follows the idle timeout (20 s → 10 s), far below the runtime's 1 minute default.
        time.Advance(TimeSpan.FromSeconds(12));
        Assert.Equal(2, store.Count);
        Assert.DoesNotContain(logs, l => l.Contains("Session grain", StringComparison.Ordinal));

        time.Advance(TimeSpan.FromSeconds(12));
        await WaitUntil(() => logs.Count(l => l.StartsWith("Session grain", StringComparison.Ordinal)) == 2);
        Assert.Contains(logs, l => l.StartsWith("Session grain s1 deactivated (ActivationIdle)", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.StartsWith("Session grain conn-7 deactivated (ActivationIdle)", StringComparison.Ordinal));
        Assert.Equal(0, store.Count);

        // A new activation starts with fresh state.
        Assert.Equal(MessagePackValue.Nil, (await TestServer.CallHead(dispatcher, "default", "state", Msgpack.Map(), HeadContext("conn-7"))).Value);
    }

    private static RapCallContext HeadContext(string connectionId) => new()
    {
        Version = RapVersion.Head,
        ConnectionId = connectionId,
        SessionId = connectionId,
        IsLocalPeer = true,
    };

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private static async IAsyncEnumerable<long> Count(SemaphoreSlim produced, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        for (long i = 0; !ct.IsCancellationRequested; i++)
        {
            await Task.Yield();
            produced.Release();
            yield return i;
        }
    }

    private static async IAsyncEnumerable<int> FailAfterTwo()
    {
        await Task.Yield();
        yield return 1;
        yield return 2;
        throw new ArgumentException("boom");
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(lines);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
                => lines.Enqueue(formatter(state, exception));
        }
    }
}
