using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Tests.Infrastructure;

/// <summary>Builds server frames for fake servers.</summary>
internal static class Frames
{
    public static MessagePackValue EmptyMap { get; } = MessagePackValue.FromMap(Array.Empty<(string, MessagePackValue)>());

    public static byte[] Head(int type, long id, MessagePackValue header, MessagePackValue body) =>
        MessagePackValue.FromArray(type, id, header, body).ToArray();

    public static byte[] Head(int type, long id, MessagePackValue body) => Head(type, id, EmptyMap, body);

    public static MessagePackValue Header(params (string Key, MessagePackValue Value)[] entries) => MessagePackValue.FromMap(entries);

    public static byte[] DeclareAnswer(long id) => Head(103, id, MessagePackValue.FromMap(
        ("conn_id", "42"),
        ("server_info", MessagePackValue.FromMap(("host", MessagePackValue.FromArray("127.0.0.1", 1)), ("version", "0.1"), ("user_agent", "Python3-0.0.0")))));

    public static byte[] Result(long id, MessagePackValue value) => Head(101, id, value);

    public static byte[] Error(int type, long id, long status, MessagePackValue body) => Head(type, id, Header(("status_code", status)), body);

    public static byte[] Channel(long id, string lifeCycle, MessagePackValue body) => Head(102, id, Header(("channel_life_cycle", lifeCycle)), body);

    public static byte[] ServerEvent(long id, string name, MessagePackValue body) => Head(203, id, Header(("target", "/_event/" + name)), body);

    public static byte[] Legacy(int num, long id, string group, string name, MessagePackValue header, MessagePackValue body) =>
        MessagePackValue.FromArray(num, id, group, name, header, body).ToArray();
}
