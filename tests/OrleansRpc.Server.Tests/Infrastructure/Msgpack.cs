using System.Buffers;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Tests;

/// <summary>Builds msgpack bodies for tests.</summary>
internal static class Msgpack
{
    public static MessagePackValue Map(params (string Key, MessagePackValue Value)[] entries)
        => MessagePackValue.FromMap([.. entries.Select(e => new KeyValuePair<MessagePackValue, MessagePackValue>(e.Key, e.Value))]);

    public static MessagePackValue Array(params MessagePackValue[] items) => MessagePackValue.FromArray(items);

    public static ReadOnlySequence<byte> Bytes(MessagePackValue value) => new(value.ToArray());

    public static MessagePackValue Decode(ReadOnlySpan<byte> bytes) => MessagePackValue.Parse(bytes);

    public static byte[] FromHex(string hex) => Convert.FromHexString(hex);
}
