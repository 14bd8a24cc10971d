using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;

namespace OrleansRpc.Server.Tests.Sessions;

/// <summary>Sessions are <see cref="ISessionGrain"/> activations owning a <see cref="RapSession"/>.</summary>
public sealed class SessionTests
{
    private static TestServer Counter(Action<RapServerOptions>? configure = null, Action<IServiceCollection>? services = null) => new(
        r => r.Register((RapSession session) =>
        {
            var counter = session.GetOrAdd("n", _ => new StrongBox());
            return Interlocked.Increment(ref counter.Value);
        }, "next"),
        configure ?? (o => o.SessionIdleTimeout = TimeSpan.FromMinutes(1)),
        services: services);

    [Fact]
    public async Task State_is_kept_per_session_key()
    {
        await using var server = Counter();
        async Task<long> Next(string key)
            => (await TestServer.CallLegacy(server.Dispatcher, "default", "next", Msgpack.Array(), Msgpack.Map(), TestServer.Context(RapVersion.V0538, sessionId: key))).Value.AsInt64();

        Assert.Equal(1, await Next("s1"));
        Assert.Equal(2, await Next("s1"));
        Assert.Equal(1, await Next("s2"));
        Assert.Equal(3, await Next("s1"));

        // The state lives in each key's session grain.
        Assert.Equal(1, await server.SessionItemsAsync("s1"));
        Assert.Equal(1, await server.SessionItemsAsync("s2"));
        Assert.Equal(0, await server.SessionItemsAsync("never-used"));
    }

    [Fact]
    public async Task Idle_sessions_are_collected_and_start_fresh()
    {
        // Orleans collects idle activations on its own (real) clock: a short idle timeout keeps the test short.
        var logs = new ConcurrentQueue<string>();
        await using var server = Counter(
            o => o.SessionIdleTimeout = TimeSpan.FromSeconds(2),
            s => s.AddLogging(l => l.SetMinimumLevel(LogLevel.Debug)).AddSingleton<ILoggerProvider>(new CapturingLoggerProvider(logs)));
        var context = () => TestServer.Context(RapVersion.Head, sessionId: "conn-7");
        Assert.Equal(1, (await server.Head("next", Msgpack.Map(), context())).Value.AsInt64());
        Assert.Equal(2, (await server.Head("next", Msgpack.Map(), context())).Value.AsInt64());

        await Poll.UntilAsync(() => logs.Any(l => l.StartsWith("Session grain conn-7 deactivated", StringComparison.Ordinal)), "the idle session to be collected", TimeSpan.FromSeconds(30));

        // A new activation starts with fresh state.
        Assert.Equal(1, (await server.Head("next", Msgpack.Map(), context())).Value.AsInt64());
    }

    [Fact]
    public async Task A_session_is_only_activated_when_the_function_uses_it()
    {
        await using var server = new TestServer(
            r =>
            {
                r.Register((int a) => a, "plain");
                r.Register((RapCallContext context) => context.Session?.Id, "reads");
                r.Register(async (RapSession session, RapCallContext context) =>
                {
                    // Up to its first await an async function runs in the grain turn: the session's grain.
                    var grain = TestServer.GrainNow;
                    await Task.Yield();
                    return $"{session.Id}|{ReferenceEquals(context.Session, session)}|{grain}";
                }, "uses");
            });
        Assert.Equal(1, (await server.Head("plain", Msgpack.Map(("a", 1)), TestServer.Context(sessionId: "conn-1"))).Value.AsInt64());

        // A function that only reads the context runs in its group's grain: no session there.
        Assert.True((await server.Head("reads", Msgpack.Map(), TestServer.Context(sessionId: "conn-1"))).Value.IsNil);
        Assert.Equal("conn-1|True|session/conn-1", (await server.Head("uses", Msgpack.Map(), TestServer.Context(sessionId: "conn-1"))).Value.AsString());
    }

    [Fact]
    public async Task Calls_without_a_session_get_none()
    {
        await using var server = new TestServer(r =>
        {
            r.Register((RapCallContext context) => context.Session is null, "none");
            r.Register((RapSession? session) => session is null, "optional");
        });
        Assert.True((await server.Head("none", Msgpack.Map())).Value.AsBoolean());
        Assert.True((await server.Head("optional", Msgpack.Map())).Value.AsBoolean());
    }

    private sealed class StrongBox
    {
        public long Value;
    }
}
