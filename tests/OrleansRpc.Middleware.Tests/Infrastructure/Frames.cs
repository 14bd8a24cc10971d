using OrleansRpc.MessagePack;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Middleware.Tests.Infrastructure;

/// <summary>Builds and reads rap frames for socket tests.</summary>
internal static class Frames
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static byte[] HeadDeclare(params (string Key, MessagePackValue Value)[] extra) =>
        MessagePackValue.FromArray(
            103,
            3,
            MessagePackValue.FromMap(("target", "/_event/DECLARE")),
            MessagePackValue.FromMap([
                ("client_info", MessagePackValue.FromMap(("host", MessagePackValue.FromArray("127.0.0.1", 9000)), ("version", "0.1"), ("user_agent", "Python3-0.0.0"))),
                ("metadata", MessagePackValue.FromMap()),
                .. extra,
            ])).ToArray();

    public static byte[] HeadCall(long id, string target, MessagePackValue body, params (string Key, MessagePackValue Value)[] headers) =>
        MessagePackValue.FromArray(101, id, MessagePackValue.FromMap([("target", target), .. headers]), body).ToArray();

    public static byte[] LegacyCall(long id, string group, string name, MessagePackValue body, params (string Key, MessagePackValue Value)[] headers) =>
        MessagePackValue.FromArray(
            101,
            id,
            group,
            name,
            MessagePackValue.FromMap([
                ("host", MessagePackValue.FromArray("127.0.0.1", 9000)),
                ("version", "0.1"),
                ("user_agent", "Python3-0.5.3"),
                ("request_id", Guid.NewGuid().ToString()),
                .. headers,
            ]),
            body).ToArray();

    public static MessagePackValue LegacyBody(params MessagePackValue[] param) =>
        MessagePackValue.FromMap(("call_id", -1), ("param", MessagePackValue.FromArray(param)), ("default_param", MessagePackValue.FromMap()));

    /// <summary>Reads frames until one satisfies <paramref name="match"/> (server pings and others are skipped); null at end of stream.</summary>
    public static async Task<MessagePackValue?> ReadUntilAsync(RawFrameClient client, Func<MessagePackValue, bool> match)
    {
        while (true)
        {
            byte[]? bytes = await client.ReadFrameAsync(Timeout);
            if (bytes is null)
            {
                return null;
            }

            MessagePackValue frame = MessagePackValue.Parse(bytes);
            if (match(frame))
            {
                return frame;
            }
        }
    }

    /// <summary>The HEAD answer with type <paramref name="type"/> and id <paramref name="id"/>.</summary>
    public static Task<MessagePackValue?> ReadHeadAnswerAsync(RawFrameClient client, long type, long id) =>
        ReadUntilAsync(client, f => f.Count == 4 && f[0].AsInt64() == type && f[1].AsInt64() == id);

    /// <summary>The 0.5.3.8 answer (201) to call <paramref name="id"/>.</summary>
    public static Task<MessagePackValue?> ReadLegacyAnswerAsync(RawFrameClient client, long id) =>
        ReadUntilAsync(client, f => f.Count == 6 && f[0].AsInt64() == 201 && f[1].AsInt64() == id);

    /// <summary>Connects and completes the HEAD DECLARE (asserting it was answered with a conn_id).</summary>
    public static async Task<RawFrameClient> ConnectHeadAsync(System.Net.IPEndPoint endPoint, params (string Key, MessagePackValue Value)[] declareExtra)
    {
        RawFrameClient client = await RawFrameClient.ConnectAsync(endPoint);
        await client.SendAsync(HeadDeclare(declareExtra));
        MessagePackValue? answer = await ReadHeadAnswerAsync(client, 103, 3);
        Assert.True(answer is { } a && a[3].TryGetValue("conn_id", out _), "DECLARE was not answered with a conn_id: " + answer);
        return client;
    }

    /// <summary>Status code of a HEAD answer (200 when absent).</summary>
    public static long HeadStatus(MessagePackValue frame) => frame[2].TryGetValue("status_code", out MessagePackValue status) ? status.AsInt64() : 200;
}
