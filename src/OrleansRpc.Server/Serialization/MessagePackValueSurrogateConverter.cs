using System.Buffers;
using Orleans;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Serialization;

/// <summary>Lets Orleans serialize msgpack values (HEAD metadata, channel messages) by their msgpack encoding.</summary>
[RegisterConverter]
public sealed class MessagePackValueSurrogateConverter : IConverter<MessagePackValue, MessagePackValueSurrogate>
{
    public MessagePackValue ConvertFromSurrogate(in MessagePackValueSurrogate surrogate) => MessagePackValue.Parse(surrogate.Msgpack);

    public MessagePackValueSurrogate ConvertToSurrogate(in MessagePackValue value)
    {
        var buffer = new ArrayBufferWriter<byte>(32);
        var writer = new MessagePackWriter(buffer);
        value.Write(ref writer);
        writer.Flush();
        return new MessagePackValueSurrogate { Msgpack = buffer.WrittenSpan.ToArray() };
    }
}
