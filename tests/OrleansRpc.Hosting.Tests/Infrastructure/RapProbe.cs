using System.Buffers;
using System.Net;
using OrleansRpc.MessagePack;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Hosting.Tests;

/// <summary>Makes HEAD-generation rap calls over a raw connection, as the Python client would.</summary>
internal static class RapProbe
{
    /// <summary>Message type of a request and of its answer.</summary>
    public const int Request = 101;

    // DECLARE as a Python HEAD client sends it (from the recorded transcripts).
    private static readonly byte[] s_declare = Convert.FromHexString(
        "94670381a6746172676574af2f5f6576656e742f4445434c41524582ab636c69656e745f696e666f83a4686f737492a93132372e302e302e31cd4b8aa776657273696f6ea3302e31aa757365725f6167656e74ad507974686f6e332d302e302e30a86d6574616461746180");

    /// <summary>Calls <paramref name="target"/> (e.g. <c>/default/sync_sum</c>) with keyword arguments; returns the result body.</summary>
    public static Task<MessagePackValue> CallAsync(IPEndPoint gateway, string target, params (string Name, MessagePackValue Value)[] arguments) =>
        CallAsync(gateway, target, sent: null, arguments);

    /// <summary>As above; <paramref name="sent"/> completes once the request is on the wire.</summary>
    public static async Task<MessagePackValue> CallAsync(IPEndPoint gateway, string target, TaskCompletionSource? sent, params (string Name, MessagePackValue Value)[] arguments)
    {
        await using RawFrameClient client = await ConnectAsync(gateway);
        const long CorrelationId = 11;
        await SendCallAsync(client, CorrelationId, target, arguments);
        sent?.TrySetResult();

        while (await client.ReadFrameAsync(HealthApp.Patience) is { } frame)
        {
            MessagePackValue message = MessagePackValue.Parse(frame);
            if (message[0].AsInt64() == Request && message[1].AsInt64() == CorrelationId)
            {
                return message[3];
            }
        }

        throw new InvalidOperationException($"The gateway closed the connection without answering {target}.");
    }

    /// <summary>Opens a connection and sends DECLARE (its answer is left unread).</summary>
    public static async Task<RawFrameClient> ConnectAsync(IPEndPoint gateway)
    {
        RawFrameClient client = await RawFrameClient.ConnectAsync(gateway);
        await client.SendAsync(s_declare);
        return client;
    }

    /// <summary>Sends a request frame <c>[101, id, {target}, {arguments}]</c>.</summary>
    public static Task SendCallAsync(RawFrameClient client, long id, string target, params (string Name, MessagePackValue Value)[] arguments) =>
        client.SendAsync(buffer =>
        {
            var writer = new MessagePackWriter(buffer);
            writer.WriteArrayHeader(4);
            writer.Write(Request);
            writer.Write(id);
            writer.WriteMapHeader(1);
            writer.Write("target");
            writer.Write(target);
            writer.WriteMapHeader(arguments.Length);
            foreach ((string name, MessagePackValue value) in arguments)
            {
                writer.Write(name);
                value.Write(ref writer);
            }

            writer.Flush();
        });
}
