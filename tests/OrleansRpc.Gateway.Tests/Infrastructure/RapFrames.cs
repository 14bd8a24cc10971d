using OrleansRpc.MessagePack;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.Infrastructure;

/// <summary>Raw rap frames of both generations, as the Python clients write them, for tests over real sockets.</summary>
internal static class RapFrames
{
    /// <summary>A HEAD DECLARE (id 3); its answer has id 3 too.</summary>
    public static byte[] HeadDeclare() => MessagePackValue.FromArray(103, 3, MessagePackValue.FromMap(("target", "/_event/DECLARE")), MessagePackValue.FromMap(
        ("client_info", MessagePackValue.FromMap(("host", MessagePackValue.FromArray("127.0.0.1", 9000)), ("version", "0.1"), ("user_agent", "Python3-0.0.0"))),
        ("metadata", MessagePackValue.FromMap()))).ToArray();

    /// <summary>A HEAD call of <c>/group/name</c> with keyword arguments.</summary>
    public static byte[] HeadCall(long id, string group, string name, MessagePackValue arguments) =>
        MessagePackValue.FromArray(101, id, MessagePackValue.FromMap(("target", $"/{group}/{name}")), arguments).ToArray();

    /// <summary>A 0.5.3.8 call with positional parameters.</summary>
    public static byte[] LegacyCall(long id, string group, string name, params MessagePackValue[] parameters) =>
        MessagePackValue.FromArray(101, id, group, name, MessagePackValue.FromMap(
                ("host", MessagePackValue.FromArray("127.0.0.1", 9000)), ("version", "0.1"), ("user_agent", "Python3-0.5.3"), ("request_id", $"r-{id}")),
            MessagePackValue.FromMap(("call_id", -1), ("param", MessagePackValue.FromArray(parameters)), ("default_param", MessagePackValue.FromMap()))).ToArray();

    /// <summary>Connects and, for HEAD, declares (reading the DECLARE answer).</summary>
    public static async Task<RawFrameClient> ConnectHeadAsync(TestCluster cluster)
    {
        RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);
        await client.SendAsync(HeadDeclare());
        await ReadAsync(client, 3);
        return client;
    }

    /// <summary>The next frame with <paramref name="id"/> (server events and pings skipped).</summary>
    public static async Task<MessagePackValue> ReadAsync(RawFrameClient client, long id, TimeSpan? timeout = null)
    {
        while (true)
        {
            byte[] bytes = await client.ReadFrameAsync(timeout) ?? throw new InvalidOperationException("The server closed the connection.");
            MessagePackValue frame = MessagePackValue.Parse(bytes);
            if (frame[1].AsInt64() == id && frame[0].AsInt64() != 203)
            {
                return frame;
            }
        }
    }
}
