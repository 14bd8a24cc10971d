using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;

namespace OrleansRpc.Server.Tests.Sessions;

public sealed class SessionTests
{
    private static TestServer Counter(TimeProvider? time = null) => new(
        r => r.Register((RapSession session) =>
        {
            var counter = session.GetOrAdd("n", _ => new StrongBox());
            return Interlocked.Increment(ref counter.Value);
        }, "next"),
        o => o.SessionIdleTimeout = TimeSpan.FromMinutes(1),
        time);

    [Fact]
    public async Task State_is_kept_per_session_key()
    {
        using var server = Counter();
        async Task<long> Next(string key)
            => (await TestServer.CallLegacy(server.Dispatcher, "default", "next", Msgpack.Array(), Msgpack.Map(), TestServer.Context(RapVersion.V0538, sessionId: key))).Value.AsInt64();

        Assert.Equal(1, await Next("s1"));
        Assert.Equal(2, await Next("s1"));
        Assert.Equal(1, await Next("s2"));
        Assert.Equal(3, await Next("s1"));
        Assert.Equal(2, server.Sessions.Count);
    }

    [Fact]
    public async Task Idle_sessions_are_collected_and_start_fresh()
    {
        var time = new ManualTimeProvider();
        using var server = Counter(time);
        var context = () => TestServer.Context(RapVersion.Head, sessionId: "conn-7");
        Assert.Equal(1, (await server.Head("next", Msgpack.Map(), context())).Value.AsInt64());
        Assert.Equal(2, (await server.Head("next", Msgpack.Map(), context())).Value.AsInt64());

        time.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal(0, server.Sessions.CollectIdle());
        Assert.Equal(3, (await server.Head("next", Msgpack.Map(), context())).Value.AsInt64());

        // The store's own timer (period = idle/2) collects it once it has been idle for a minute.
        time.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(0, server.Sessions.Count);
        Assert.Equal(1, (await server.Head("next", Msgpack.Map(), context())).Value.AsInt64());
    }

    [Fact]
    public async Task A_session_is_only_activated_when_the_function_uses_it()
    {
        using var server = new TestServer(r =>
        {
            r.Register((int a) => a, "plain");
            r.Register((RapCallContext context) => context.Session!.Id, "reads");
        });
        await server.Head("plain", Msgpack.Map(("a", 1)), TestServer.Context(sessionId: "conn-1"));
        Assert.Equal(0, server.Sessions.Count);
        Assert.Equal("conn-1", (await server.Head("reads", Msgpack.Map(), TestServer.Context(sessionId: "conn-1"))).Value.AsString());
        Assert.Equal(1, server.Sessions.Count);
    }

    [Fact]
    public async Task Calls_without_a_session_get_none()
    {
        using var server = new TestServer(r => r.Register((RapCallContext context) => context.Session is null, "none"));
        Assert.True((await server.Head("none", Msgpack.Map())).Value.AsBoolean());
    }

    private sealed class StrongBox
    {
        public long Value;
    }
}
