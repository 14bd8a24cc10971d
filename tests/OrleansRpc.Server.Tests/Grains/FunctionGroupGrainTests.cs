using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansRpc.Grains.Runtime;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;

namespace OrleansRpc.Server.Tests.Grains;

/// <summary>With <c>UseFunctionGroupGrains()</c> unary calls run inside function-group grain activations.</summary>
public sealed class FunctionGroupGrainTests
{
    [Fact]
    public async Task Calls_run_in_a_grain_activation_keyed_by_group()
    {
        var where = new System.Collections.Concurrent.ConcurrentBag<string>();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddRapServer(o => o.RunTimeout = TimeSpan.FromSeconds(5))
            .UseFunctionGroupGrains()
            .AddFunction((int a, int b) =>
            {
                // Runs inline in the grain turn up to its first await (synchronous functions go to a pool work item).
                where.Add(RuntimeContext.Current?.GrainId.ToString() ?? "none");
                return new ValueTask<int>(a + b);
            }, "sum")
            .AddFunction(async (int ms, CancellationToken ct) =>
            {
                await Task.Delay(ms, ct);
                return ms;
            }, "sleep_ms", group: "math");
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var dispatcher = host.Services.GetRequiredService<RapDispatcher>();
            var (result, value) = await TestServer.CallHead(dispatcher, "default", "sum", Msgpack.Map(("a", 1), ("b", 2)));
            Assert.True(result.IsSuccess, result.ToString());
            Assert.Equal(3, value.AsInt64());
            Assert.Contains("default", Assert.Single(where), StringComparison.Ordinal);

            var legacy = await TestServer.CallLegacy(dispatcher, "default", "sum", Msgpack.Array(1), Msgpack.Map(), TestServer.Context(RapVersion.V0538));
            Assert.Equal("Parse error. sum takes 2 positional arguments but 1 were given", legacy.Result.Message);

            // Slow async calls interleave instead of queueing behind each other.
            var calls = Enumerable.Range(0, 8).Select(_ => TestServer.CallHead(dispatcher, "math", "sleep_ms", Msgpack.Map(("ms", 50)))).ToArray();
            foreach (var (r, v) in await Task.WhenAll(calls))
            {
                Assert.True(r.IsSuccess, r.ToString());
                Assert.Equal(50, v.AsInt64());
            }
        }
        finally
        {
            await host.StopAsync();
        }

        _ = MessagePackValue.Nil;
    }

    [Fact]
    public async Task Sessions_go_through_session_grains_and_keep_state_per_key()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddRapServer()
            .UseFunctionGroupGrains()
            .AddFunction((RapSession session) => (long)session.Items.AddOrUpdate("n", 1L, (_, v) => (long)v! + 1)!, "next");
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var dispatcher = host.Services.GetRequiredService<RapDispatcher>();
            async Task<long> Next(string key) => (await TestServer.CallHead(dispatcher, "default", "next", Msgpack.Map(), TestServer.Context(sessionId: key))).Value.AsInt64();
            Assert.Equal(1, await Next("a"));
            Assert.Equal(2, await Next("a"));
            Assert.Equal(1, await Next("b"));
            Assert.True(host.Services.GetRequiredService<RapSessionStore>().TryGet("a", out var session));
            Assert.Equal(2L, session!.Items["n"]);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Run_timeout_inside_the_grain_answers_the_timeout()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddRapServer(o => o.RunTimeout = TimeSpan.FromMilliseconds(200))
            .UseFunctionGroupGrains()
            .AddFunction(async (CancellationToken ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return 0;
            }, "sleep_ms");
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var dispatcher = host.Services.GetRequiredService<RapDispatcher>();
            var (result, _) = await TestServer.CallHead(dispatcher, "default", "sleep_ms", Msgpack.Map());
            Assert.Equal("RpcRunTimeError", result.ExceptionName);
            Assert.Equal("Call sleep_ms timeout", result.Message);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
