using ConformanceService;
using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using Quickstart;

namespace OrleansRpc.Server.Tests.Conformance;

/// <summary>The conformance service's functions at unit level (CONFORMANCE_SERVICE.md §2).</summary>
public sealed class ConformanceFunctionTests : IAsyncLifetime
{
    private TestServer _services = null!;
    private RapDispatcher _dispatcher = null!;

    public Task InitializeAsync()
    {
        _services = TestServer.Conformance();
        _dispatcher = _services.Dispatcher;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Theory]
    [InlineData("default", "sum_sync", 3)]
    [InlineData("default", "sum_async", 3)]
    [InlineData("default", "sum_alias", 3)]
    [InlineData("math", "add", 3)]
    [InlineData("math", "sum_sync", 30)]
    public async Task Sums_answer_per_group(string group, string name, long expected)
    {
        var (result, value) = await TestServer.CallHead(_dispatcher, group, name, Msgpack.Map(("a", 1), ("b", 2)));
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(expected, value.AsInt64());
        var legacy = await TestServer.CallLegacy(_dispatcher, group, name, Msgpack.Array(1, 2), Msgpack.Map());
        Assert.Equal(expected, legacy.Value.AsInt64());
    }

    [Fact]
    public async Task Run_limit_is_three_seconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(3), _services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RapServerOptions>>().Value.RunTimeout);
        var quick = await TestServer.CallHead(_dispatcher, "default", "sleep_ms", Msgpack.Map(("ms", 5)));
        Assert.Equal(5, quick.Value.AsInt64());
    }

    [Theory]
    [InlineData("ValueError", "ValueError")]
    [InlineData("ZeroDivisionError", "ZeroDivisionError")]
    [InlineData("RuntimeError", "RuntimeError")]
    [InlineData("ConformanceError", "ConformanceError")]
    [InlineData("SomethingElse", "RuntimeError")]
    public async Task Raise_error_raises_the_named_class(string kind, string expected)
    {
        var (result, _) = await TestServer.CallHead(_dispatcher, "default", "raise_error", Msgpack.Map(("kind", kind), ("message", "m1")));
        Assert.Equal(RapCallOutcome.FunctionError, result.Outcome);
        Assert.Equal(expected, result.ExceptionName);
        Assert.Equal("m1", result.Message);
    }

    [Fact]
    public async Task Secret_info_is_private()
    {
        Assert.Equal("top secret", (await TestServer.CallHead(_dispatcher, "default", "secret_info", Msgpack.Map())).Value.AsString());
        var remote = await TestServer.CallLegacy(_dispatcher, "default", "secret_info", Msgpack.Array(), Msgpack.Map(), TestServer.Context(RapVersion.V0538, local: false));
        Assert.Equal(502, remote.Result.StatusCode(RapVersion.V0538));
    }

    [Fact]
    public async Task Echo_channel_bookkeeping_counts_runs_tags_and_cancellations()
    {
        // Run 1: tagged, ended by the client's drop (a cancellation).
        await using var first = ChannelDriver.Open(_dispatcher, "echo_channel", channelId: "1");
        await first.DeliverAsync(Msgpack.Map(("tag", "t1"), ("x", 1)));
        Assert.Equal(Msgpack.Map(("tag", "t1"), ("x", 1)), await first.ReadAsync());
        var during = await Stats();
        Assert.Equal(1, during["echo_channel_active"].AsInt64());
        Assert.True(first.Drop());
        Assert.Empty(await first.ReadToEndAsync());
        Assert.Equal(RapChannelEndReason.PeerDropped, first.End!.EndReason);

        // Run 2: untagged, ended by connection loss.
        await using var second = ChannelDriver.Open(_dispatcher, "echo_channel", channelId: "2");
        await second.DeliverAsync("plain");
        Assert.Equal("plain", (await second.ReadAsync()).AsString());
        Assert.True(second.Abort());
        Assert.Equal(RapChannelEndReason.ConnectionLost, await second.Completion.WaitAsync(TimeSpan.FromSeconds(20)));

        // The handlers' finally blocks ran (they count the end): poll, the end reaches the grain asynchronously.
        MessagePackValue stats = default;
        await Poll.UntilAsync(() => (stats = Stats().GetAwaiter().GetResult())["echo_channel_ended"].AsInt64() == 2, "both echo channels to end");
        Assert.Equal(0, stats["echo_channel_active"].AsInt64());
        Assert.Equal(2, stats["echo_channel_cancelled"].AsInt64());
        Assert.Equal(["t1"], stats["ended_tags"].AsArray().Select(t => t.AsString()));
    }

    [Fact]
    public async Task Count_channel_writes_n_items_then_ends()
    {
        await using var channel = ChannelDriver.Open(_dispatcher, "count_channel", channelId: "c");
        await channel.DeliverAsync(3);
        var items = await channel.ReadToEndAsync();

        Assert.Equal([0L, 1L, 2L], items.Select(i => i.AsInt64()));
        Assert.Equal(RapChannelEndReason.HandlerCompleted, await channel.Completion);
    }

    [Fact]
    public async Task Raise_channel_fails_with_ValueError_after_one_body()
    {
        await using var channel = ChannelDriver.Open(_dispatcher, "raise_channel", channelId: "r");
        await channel.DeliverAsync("x");
        Assert.Empty(await channel.ReadToEndAsync());
        Assert.Equal(RapChannelEndReason.HandlerFaulted, await channel.Completion);
        Assert.Equal("ValueError", channel.End!.Fault);
    }

    [Fact]
    public async Task Count_up_yields_zero_to_n_minus_one_and_nothing_for_zero()
    {
        var function = _dispatcher.Registry.Find("default", "count_up", RapFunctionKind.Generator)!;
        foreach (var n in new[] { 0, 4 })
        {
            await using var stream = _dispatcher.StartGenerator(function, TestServer.Context(), RapArguments.Head(Msgpack.Bytes(Msgpack.Map(("n", n)))));
            using var output = new PooledBufferWriter();
            var count = 0;
            RapGeneratorStep step;
            while ((step = await stream.MoveNextAsync(output)) == RapGeneratorStep.Item)
            {
                Assert.Equal(count++, MessagePackValue.Parse(output.WrittenSpan).AsInt64());
                output.Reset();
            }

            Assert.Equal(RapGeneratorStep.Completed, step);
            Assert.Equal(n, count);
        }
    }

    [Fact]
    public async Task Quickstart_functions_register_and_answer()
    {
        await using var server = TestServer.Start(b => b.AddQuickstartFunctions());
        var dispatcher = server.Dispatcher;
        Assert.Equal(3, (await TestServer.CallHead(dispatcher, "default", "sync_sum", Msgpack.Map(("a", 1), ("b", 2)))).Value.AsInt64());
        foreach (var name in new[] { "async_channel", "echo_body", "echo_response" })
        {
            await using var channel = ChannelDriver.Open(dispatcher, name, channelId: name);
            await channel.DeliverAsync("hello");
            Assert.Equal("hello", (await channel.ReadAsync()).AsString());
            Assert.True(channel.Drop());
            await channel.ReadToEndAsync();
            Assert.Equal(RapChannelEndReason.PeerDropped, channel.End!.EndReason);
        }

        Assert.NotNull(dispatcher.Registry.Find("default", "async_gen", RapFunctionKind.Generator));
        Assert.NotNull(dispatcher.Registry.Find("default", "async_sum", RapFunctionKind.Normal));
    }

    private async Task<MessagePackValue> Stats()
    {
        var (result, value) = await TestServer.CallHead(_dispatcher, "default", "channel_stats", Msgpack.Map());
        Assert.True(result.IsSuccess, result.ToString());
        return value;
    }
}
