using System.Globalization;
using OrleansRpc.MessagePack;
using OrleansRpc.Server;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.EndToEnd;

/// <summary>
/// What user code reads from <see cref="RapCallContext"/> over a real connection: the connection id (HEAD's
/// <c>conn_id</c>), the peer, the generation, the request headers, and a token cancelled when the client goes away.
/// </summary>
public sealed class CallContextTests
{
    private readonly TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Task<TestCluster> StartAsync() =>
        TestCluster.StartAsync(b => b
            .ConfigureGateway(o => o.LegacySilenceThreshold = TimeSpan.FromSeconds(60))

            // Far beyond the test: only the client's going away can cancel the waiting call.
            .ConfigureServer(o => o.RunTimeout = TimeSpan.FromMinutes(10))
            .AddFunctions(f => f
                .AddFunction(
                    (RapCallContext context) => string.Join(
                        '|',
                        context.ConnectionId,
                        context.Peer.Host + ":" + context.Peer.Port.ToString(CultureInfo.InvariantCulture),
                        context.Version.ToString(),
                        context.Header is { } header && header.TryGetValue("X-tenant", out MessagePackValue tenant) ? tenant.AsString() : "<none>",
                        context.IsLocalPeer ? "local" : "remote"),
                    "whoami")
                .AddFunction(WaitAsync, "wait")));

    private async Task<long> WaitAsync(RapCallContext context)
    {
        _waiting.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            _cancelled.TrySetResult();
            throw;
        }

        return 0;
    }

    [Fact]
    public async Task Head_and_legacy_calls_see_their_connection_peer_generation_and_headers()
    {
        await using TestCluster cluster = await StartAsync();

        await using RawFrameClient head = await RawFrameClient.ConnectAsync(cluster.EndPoint);
        await head.SendAsync(MessagePackValue.FromArray(103, 3, MessagePackValue.FromMap(("target", "/_event/DECLARE")), MessagePackValue.FromMap(
            ("client_info", MessagePackValue.FromMap(("host", MessagePackValue.FromArray("127.0.0.1", 9000)), ("version", "0.1"), ("user_agent", "Python3-0.0.0"))),
            ("metadata", MessagePackValue.FromMap()))).ToArray());
        string connId = (await ReadAsync(head, 3))[3]["conn_id"].AsString();
        await head.SendAsync(MessagePackValue.FromArray(101, 5, MessagePackValue.FromMap(("target", "/default/whoami"), ("X-tenant", "acme")), MessagePackValue.FromMap()).ToArray());
        string[] seen = (await ReadAsync(head, 5))[3].AsString().Split('|');
        Assert.Equal([connId, "127.0.0.1:" + head.LocalEndPoint.Port.ToString(CultureInfo.InvariantCulture), "Head", "acme", "local"], seen);

        await using RawFrameClient legacy = await RawFrameClient.ConnectAsync(cluster.EndPoint);
        await legacy.SendAsync(MessagePackValue.FromArray(101, 7, "default", "whoami", MessagePackValue.FromMap(
                ("host", MessagePackValue.FromArray("127.0.0.1", 9000)), ("version", "0.1"), ("user_agent", "Python3-0.5.3"), ("request_id", "r-7")),
            MessagePackValue.FromMap(("call_id", -1), ("param", MessagePackValue.FromArray()), ("default_param", MessagePackValue.FromMap()))).ToArray());
        string[] legacySeen = (await ReadAsync(legacy, 7))[5]["result"].AsString().Split('|');
        Assert.NotEqual(connId, legacySeen[0]);
        Assert.NotEmpty(legacySeen[0]);
        Assert.Equal(["127.0.0.1:" + legacy.LocalEndPoint.Port.ToString(CultureInfo.InvariantCulture), "V0538", "<none>", "local"], legacySeen[1..]);
    }

    [Fact]
    public async Task The_calls_token_is_cancelled_when_the_client_goes_away()
    {
        await using TestCluster cluster = await StartAsync();
        RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);
        await client.SendAsync(MessagePackValue.FromArray(101, 9, "default", "wait", MessagePackValue.FromMap(
                ("host", MessagePackValue.FromArray("127.0.0.1", 9000)), ("version", "0.1"), ("user_agent", "Python3-0.5.3"), ("request_id", "r-9")),
            MessagePackValue.FromMap(("call_id", -1), ("param", MessagePackValue.FromArray()), ("default_param", MessagePackValue.FromMap()))).ToArray());
        await _waiting.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(_cancelled.Task.IsCompleted);

        await client.DisposeAsync();
        await _cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>The next frame with <paramref name="id"/> (server events and pings skipped).</summary>
    private static async Task<MessagePackValue> ReadAsync(RawFrameClient client, long id)
    {
        while (true)
        {
            byte[] bytes = await client.ReadFrameAsync() ?? throw new InvalidOperationException("The server closed the connection.");
            MessagePackValue frame = MessagePackValue.Parse(bytes);
            if (frame[1].AsInt64() == id && frame[0].AsInt64() != 203)
            {
                return frame;
            }
        }
    }
}
