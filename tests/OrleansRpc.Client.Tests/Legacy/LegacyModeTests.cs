using System.Collections.Concurrent;
using OrleansRpc.Client.Tests.Infrastructure;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;

namespace OrleansRpc.Client.Tests.Legacy;

/// <summary>The optional v0.5.3.8 mode against a fake old rap server.</summary>
public sealed class LegacyModeTests
{
    private static MessagePackValue Header(long status, params (string Key, MessagePackValue Value)[] extra) =>
        MessagePackValue.FromMap([("status_code", status), ("version", "0.1"), ("user_agent", "Python3-0.5.3"), .. extra]);

    private static FakeRapServer StartServer(ConcurrentDictionary<long, int>? generators = null)
    {
        generators ??= new();
        return FakeRapServer.Start(async (connection, frame) =>
        {
            var group = frame.Frame.Group!;
            var name = frame.Frame.FunctionName!;
            switch (frame.Type)
            {
                case 101:
                {
                    var body = frame.Body;
                    switch (name)
                    {
                        case "sum":
                            var a = body["param"][0].AsInt64();
                            var b = body["default_param"].TryGetValue("b", out var bValue) ? bValue.AsInt64() : 2;
                            await connection.SendAsync(Frames.Legacy(201, frame.Id, group, name, Header(200), MessagePackValue.FromMap(("call_id", -1), ("result", a + b))));
                            break;
                        case "div":
                            await connection.SendAsync(Frames.Legacy(201, frame.Id, group, name, Header(200),
                                MessagePackValue.FromMap(("call_id", -1), ("exc_info", "division by zero"), ("exc", "ZeroDivisionError"))));
                            break;
                        case "echo_session":
                            await connection.SendAsync(Frames.Legacy(201, frame.Id, group, name, Header(200),
                                MessagePackValue.FromMap(("call_id", -1), ("result", frame.Frame.Header.SessionId ?? ""))));
                            break;
                        case "gen":
                        {
                            var callId = body["call_id"].AsInt64();
                            var n = body["param"][0].AsInt64();
                            if (callId == -1)
                            {
                                callId = 139701138255296;
                                generators[callId] = 0;
                            }

                            var next = generators[callId];
                            if (next >= n)
                            {
                                await connection.SendAsync(Frames.Legacy(201, frame.Id, group, name, Header(301), MessagePackValue.FromMap(("call_id", callId))));
                            }
                            else
                            {
                                generators[callId] = next + 1;
                                await connection.SendAsync(Frames.Legacy(201, frame.Id, group, name, Header(200), MessagePackValue.FromMap(("call_id", callId), ("result", next))));
                            }

                            break;
                        }

                        default:
                            await connection.SendAsync(Frames.Legacy(201, frame.Id, group, name, Header(502), "Not found func. name: " + name));
                            break;
                    }

                    break;
                }

                case 102:
                {
                    var channelId = frame.Frame.Header.ChannelId!;
                    var lifeCycle = frame.LifeCycle;
                    var answer = lifeCycle == "MSG" ? frame.Body : MessagePackValue.Nil;
                    await connection.SendAsync(Frames.Legacy(202, -1, group, name,
                        MessagePackValue.FromMap(("channel_life_cycle", lifeCycle), ("channel_id", channelId), ("status_code", 200)), answer));
                    break;
                }
            }
        }, version: RapVersion.V0538, rawHandler: true);
    }

    private static RapClient CreateClient(FakeRapServer server) => RapClient.Create(server.Endpoint, o => o.ProtocolVersion = RapVersion.V0538);

    [Fact]
    public async Task Calls_send_positional_and_default_params_and_read_the_result_map()
    {
        await using var server = StartServer();
        await using var client = CreateClient(server);
        Assert.Equal(3, await client.InvokeAsync<int>("default", "sum", RapArgs.PositionalOf(1)));
        Assert.Equal(6, await client.InvokeAsync<int>("default", "sum", RapArgs.PositionalOf(1).With("b", 5)));

        var frame = server.Connections[0].Received.Last(f => f.Type == 101);
        Assert.Equal(0x96, frame.Bytes[0]);
        Assert.Equal("default", frame.Frame.Group);
        Assert.Equal("sum", frame.Frame.FunctionName);
        Assert.Equal(["host", "version", "user_agent", "request_id"], frame.Value[4].AsMap().Select(e => e.Key.AsString()));
        Assert.Equal("Python3-0.5.3", frame.Value[4]["user_agent"].AsString());
        Assert.Equal(MessagePackValue.FromArray("127.0.0.1", server.Port), frame.Value[4]["host"]);
        Assert.Equal(MessagePackValue.FromMap(("call_id", -1), ("param", MessagePackValue.FromArray(1)), ("default_param", MessagePackValue.FromMap(("b", 5)))), frame.Body);
        var ids = server.Connections[0].Received.Where(f => f.Type == 101).Select(f => f.Id).ToList();
        Assert.Equal((ids[0] + 1) & 65535, ids[1]);
    }

    [Fact]
    public async Task Errors_map_by_exc_name_and_status()
    {
        await using var server = StartServer();
        await using var client = CreateClient(server);
        var invoke = await Assert.ThrowsAsync<RapInvokeException>(() => client.InvokeAsync<int>("default", "div").AsTask());
        Assert.Equal("ZeroDivisionError", invoke.PythonExceptionName);
        Assert.Equal("division by zero", invoke.RemoteMessage);
        var notFound = await Assert.ThrowsAsync<RapFunctionNotFoundException>(() => client.InvokeAsync<int>("default", "nope").AsTask());
        Assert.Equal(502, notFound.StatusCode);
    }

    [Fact]
    public async Task Server_pings_get_pongs()
    {
        await using var server = StartServer();
        await using var client = CreateClient(server);
        await client.StartAsync();
        var connection = await server.AcceptedAsync();
        await connection.SendAsync(Frames.Legacy(203, -1, "default", "ping", Header(200, ("request_id", "r1")), ""));
        await Eventually.TrueAsync(() => connection.Received.Any(f => f.Type == 103), "pong sent");
        var pong = connection.Received.First(f => f.Type == 103);
        Assert.Equal(-1, pong.Id);
        Assert.Equal("", pong.Frame.Group);
        Assert.Equal("pong", pong.Frame.FunctionName);
        Assert.Equal(MessagePackValue.FromString(""), pong.Body);
    }

    [Fact]
    public async Task Generators_are_repeated_calls_tied_by_call_id_until_301()
    {
        await using var server = StartServer();
        await using var client = CreateClient(server);
        var items = new List<int>();
        await foreach (var item in client.StreamAsync<int>("default", "gen", RapArgs.PositionalOf(3)))
        {
            items.Add(item);
        }

        Assert.Equal([0, 1, 2], items);
        var steps = server.Connections[0].Received.Where(f => f.Type == 101).ToList();
        Assert.Equal(4, steps.Count);
        Assert.Equal(-1, steps[0].Body["call_id"].AsInt64());
        Assert.All(steps.Skip(1), s => Assert.Equal(139701138255296, s.Body["call_id"].AsInt64()));
        var sessionIds = steps.Select(s => s.Frame.Header.SessionId).Distinct().ToList();
        Assert.Single(sessionIds);
        Assert.NotNull(sessionIds[0]);
    }

    [Fact]
    public async Task Channels_use_channel_id_and_lower_case_life_cycles()
    {
        await using var server = StartServer();
        await using var client = CreateClient(server);
        var channel = await client.OpenChannelAsync("default", "echo_channel");
        await channel.WriteAsync("hi");
        Assert.Equal("hi", await channel.ReadAsync<string>());
        await channel.CloseAsync();
        Assert.Equal(RapChannelState.ClosedByClient, channel.State);

        var frames = server.Connections[0].Received.Where(f => f.Type == 102).ToList();
        Assert.Equal(["declare", "MSG", "drop"], frames.Select(f => f.LifeCycle));
        Assert.Single(frames.Select(f => f.Frame.Header.ChannelId).Distinct());
        Assert.All(frames, f => Assert.Equal(-1, f.Id));
        Assert.Equal(["channel_life_cycle", "channel_id", "session_id", "host", "version", "user_agent", "request_id"],
            frames[0].Value[4].AsMap().Select(e => e.Key.AsString()));
    }

    [Fact]
    public async Task Sessions_send_the_session_id_header()
    {
        await using var server = StartServer();
        await using var client = CreateClient(server);
        await using var session = client.CreateSession();
        Assert.Equal(session.SessionId, await session.InvokeAsync<string>("default", "echo_session"));
        Assert.Equal("", await client.InvokeAsync<string>("default", "echo_session"));
        var inSession = server.Connections[0].Received.First(f => f.Type == 101);
        Assert.Equal("session_id", inSession.Value[4].AsMap()[0].Key.AsString());
    }

    [Fact]
    public async Task Close_event_fails_pending_calls()
    {
        await using var server = FakeRapServer.Start(async (connection, frame) =>
        {
            if (frame.Type == 101)
            {
                await connection.SendAsync(Frames.Legacy(203, -1, "default", "event_close_conn", Header(200), "recv pong timeout"));
            }
        }, version: RapVersion.V0538, rawHandler: true);
        await using var client = CreateClient(server);
        var error = await Assert.ThrowsAsync<RapConnectionException>(() => client.InvokeAsync<int>("default", "sum", RapArgs.PositionalOf(1)).AsTask());
        Assert.Equal("recv pong timeout", error.CloseReason);
    }
}
