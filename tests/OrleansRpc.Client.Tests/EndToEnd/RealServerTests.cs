using OrleansRpc.Client.Tests.Infrastructure;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Client.Tests.EndToEnd;

/// <summary>Every client feature against our own gateway and server (ConformanceService) over loopback.</summary>
public sealed class RealServerTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private RapClient _client = null!;

    public async Task InitializeAsync()
    {
        _cluster = await RealServer.StartAsync();
        _client = RealServer.Client(_cluster);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Unary_calls_by_name_with_defaults_and_groups()
    {
        Assert.Equal(3, await _client.InvokeAsync<long>("default", "sum_sync", ("a", 1), ("b", 2)));
        Assert.Equal(0, await _client.InvokeAsync<long>("default", "sum_async", new { a = -7, b = 7 }));
        Assert.Equal("hello, t!", await _client.InvokeAsync<string>("default", "greet", ("name", "t")));
        Assert.Equal("hi, t?", await _client.InvokeAsync<string>("default", "greet", new Dictionary<string, object?> { ["name"] = "t", ["greeting"] = "hi", ["punct"] = "?" }));
        Assert.Equal(30, await _client.InvokeAsync<long>("math", "sum_sync", ("a", 1), ("b", 2)));
        Assert.Equal(3, await _client.InvokeAsync<long>("default", "sum_alias", ("a", 1), ("b", 2)));
    }

    [Fact]
    public async Task Values_of_every_kind_round_trip_through_echo()
    {
        MessagePackValue[] values =
        [
            0, 127, 128, 255, 256, 65535, 65536, -1, -32, -33, -129, long.MinValue, long.MaxValue, ulong.MaxValue,
            0.5, -1e300, true, false, MessagePackValue.Nil, "", "ünï ✓", new string('x', 70_000), new byte[] { 0, 1, 255 },
            MessagePackValue.FromArray(1, "a", MessagePackValue.FromArray()), MessagePackValue.FromMap(("k", MessagePackValue.FromMap(("n", 1.25)))),
        ];
        foreach (var value in values)
        {
            var echoed = await _client.InvokeAsync<MessagePackValue>("default", "echo", ("value", value));
            Assert.Equal(value, echoed);
        }

        var record = await _client.InvokeAsync<Dictionary<string, object?>>("default", "echo", ("value", new { Name = "n", Scores = new[] { 1, 2 } }));
        Assert.Equal("n", record["Name"]);
    }

    [Fact]
    public async Task Errors_surface_as_typed_exceptions()
    {
        var value = await Assert.ThrowsAsync<RapInvokeException>(() => _client.InvokeAsync<long>("default", "raise_error", ("kind", "ValueError"), ("message", "bad value")).AsTask());
        Assert.Equal("ValueError", value.PythonExceptionName);
        Assert.Equal("bad value", value.RemoteMessage);
        Assert.Equal(301, value.StatusCode);

        var custom = await Assert.ThrowsAsync<RapInvokeException>(() => _client.InvokeAsync<long>("default", "raise_error", ("kind", "ConformanceError"), ("message", "mine")).AsTask());
        Assert.Equal("ConformanceError", custom.PythonExceptionName);

        var notFound = await Assert.ThrowsAsync<RapFunctionNotFoundException>(() => _client.InvokeAsync<long>("default", "nope").AsTask());
        Assert.Equal(404, notFound.StatusCode);

        var parse = await Assert.ThrowsAsync<RapParseException>(() => _client.InvokeAsync<long>("default", "sum_sync", ("a", 1)).AsTask());
        Assert.Equal(1002, parse.StatusCode);
    }

    [Fact]
    public async Task The_server_run_timeout_and_the_deadline_header_are_honoured()
    {
        var runTimeout = await Assert.ThrowsAsync<RapRunTimeException>(() => _client.InvokeAsync<long>("default", "sleep_ms", ("ms", 10_000)).AsTask());
        Assert.Equal("RpcRunTimeError", runTimeout.PythonExceptionName);

        // Our server reads X-rap-deadline as "remaining = deadline - now" (rap's own server gets the sign wrong).
        Assert.Equal(20, await _client.InvokeAsync<long>("default", "sleep_ms", RapArgs.Of(("ms", 20)), new RapCallOptions { Deadline = DateTimeOffset.UtcNow.AddSeconds(20) }));

        // A deadline the server reaches first (the client itself waits longer): the server's own timeout error comes back.
        var deadline = DateTimeOffset.UtcNow.AddMilliseconds(300).ToUnixTimeMilliseconds() / 1000.0;
        var expired = await Assert.ThrowsAsync<RapRunTimeException>(() => _client.InvokeAsync<long>("default", "sleep_ms", RapArgs.Of(("ms", 5000)),
            new RapCallOptions { Timeout = TimeSpan.FromSeconds(20), Headers = [new("X-rap-deadline", deadline)] }).AsTask());
        Assert.Equal("RpcRunTimeError", expired.PythonExceptionName);
    }

    [Fact]
    public async Task A_client_timeout_frees_the_slot_and_the_connection_keeps_working()
    {
        await using var client = RealServer.Client(_cluster, o =>
        {
            o.MaxConnectionsPerEndpoint = 1;
            o.MaxInFlightPerConnection = 1;
        });

        // Connected first: the call's timeout also bounds getting a connection (see TimeoutAndCancellationTests).
        await client.StartAsync();
        await Assert.ThrowsAsync<RapTimeoutException>(() =>
            client.InvokeAsync<long>("default", "sleep_ms", RapArgs.Of(("ms", 1000)), RapCallOptions.WithTimeout(TimeSpan.FromMilliseconds(100))).AsTask());
        Assert.Equal(8, await client.InvokeAsync<long>("default", "sum_sync", ("a", 4), ("b", 4)));
    }

    [Fact]
    public async Task Generators_iterate_and_break_early()
    {
        var items = new List<long>();
        await foreach (var item in _client.StreamAsync<long>("default", "count_up", RapArgs.Of(("n", 200))))
        {
            items.Add(item);
        }

        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), items);

        var empty = 0;
        await foreach (var _ in _client.StreamAsync<long>("default", "count_up", RapArgs.Of(("n", 0))))
        {
            empty++;
        }

        Assert.Equal(0, empty);

        var firstThree = new List<long>();
        await foreach (var item in _client.StreamAsync<long>("default", "count_up", RapArgs.Of(("n", 1_000_000))))
        {
            firstThree.Add(item);
            if (firstThree.Count == 3)
            {
                break;
            }
        }

        Assert.Equal([0L, 1L, 2L], firstThree);
        Assert.Equal(3, await _client.InvokeAsync<long>("default", "sum_sync", ("a", 1), ("b", 2)));
    }

    [Fact]
    public async Task Channels_echo_count_raise_and_close()
    {
        await using (var echo = await _client.OpenChannelAsync("default", "echo_channel"))
        {
            await echo.WriteAsync("hello");
            Assert.Equal("hello", await echo.ReadAsync<string>());
            await echo.WriteAsync(new Dictionary<string, object?> { ["tag"] = "e2e-close" });
            var tagged = await echo.ReadAsync<Dictionary<string, object?>>();
            Assert.Equal("e2e-close", tagged["tag"]);
        }

        // The client's DROP stopped the server function, which recorded the tag.
        await Eventually.TrueAsync(() => Stats().Result.EndedTags.Contains("e2e-close"), "echo_channel ended");

        var count = await _client.OpenChannelAsync("default", "count_channel");
        await count.WriteAsync(3);
        var counted = new List<long>();
        await foreach (var item in count.ReadAllAsync<long>())
        {
            counted.Add(item);
        }

        Assert.Equal([0L, 1L, 2L], counted);
        Assert.Equal(RapChannelState.ClosedByServer, count.State);

        var raise = await _client.OpenChannelAsync("default", "raise_channel");
        await raise.WriteAsync("go");
        var error = await Assert.ThrowsAnyAsync<Exception>(() => raise.ReadAsync<string>().AsTask());
        Assert.True(error is RapRemoteException or RapChannelClosedException, error.ToString());
        Assert.True(raise.IsClosed);

        await Assert.ThrowsAsync<RapFunctionNotFoundException>(() => _client.OpenChannelAsync("default", "no_such_channel"));
    }

    [Fact]
    public async Task Sessions_and_proxies_work_against_the_server()
    {
        await using (var session = _client.CreateSession())
        {
            Assert.Equal(9, await session.InvokeAsync<long>("default", "sum_sync", RapArgs.Of(("a", 4), ("b", 5))));
            Assert.Equal("hello, t!", await session.InvokeAsync<string>("default", "greet", RapArgs.Of(("name", "t"))));
            var items = new List<long>();
            await foreach (var item in session.StreamAsync<long>("default", "count_up", RapArgs.Of(("n", 3))))
            {
                items.Add(item);
            }

            Assert.Equal([0L, 1L, 2L], items);
        }

        var proxy = _client.CreateProxy<IConformance>();
        using (_client.BeginSession())
        {
            Assert.Equal(3, await proxy.SumSync(1, 2));
            Assert.Equal(7, await proxy.SumAsync(3, 4));
        }

        Assert.Equal("hello, x!", await proxy.Greet("x"));
        Assert.Equal("yo, x!", await proxy.Greet("x", "yo"));
        Assert.Equal(MessagePackValue.FromArray(1, 2), await proxy.Echo(MessagePackValue.FromArray(1, 2)));
        Assert.Equal(11, await proxy.MathAdd(5, 6));
        var count = 0L;
        await foreach (var item in proxy.CountUp(5))
        {
            count += item;
        }

        Assert.Equal(10, count);
        await using var channel = await proxy.EchoChannel();
        await channel.WriteAsync(42);
        Assert.Equal(42, await channel.ReadAsync<int>());
    }

    [Fact]
    public async Task Ten_thousand_concurrent_calls_complete()
    {
        var calls = Enumerable.Range(0, 10_000).Select(i => _client.InvokeAsync<long>("default", "sum_sync", ("a", i), ("b", 1)).AsTask()).ToArray();
        var results = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(1, 10_000).Select(i => (long)i), results);
    }

    private Task<ChannelStats> Stats() => _client.InvokeAsync<ChannelStats>("default", "channel_stats").AsTask();
}
