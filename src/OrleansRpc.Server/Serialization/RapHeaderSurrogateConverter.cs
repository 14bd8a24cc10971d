using System.Buffers;
using Orleans;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Server.Serialization;

/// <summary>Lets Orleans serialize rap headers (they belong to the protocol layer, which knows nothing of Orleans).</summary>
[RegisterConverter]
public sealed class RapHeaderSurrogateConverter : IConverter<RapHeader, RapHeaderSurrogate>
{
    public RapHeader ConvertFromSurrogate(in RapHeaderSurrogate surrogate)
    {
        var reader = new MessagePackReader(new ReadOnlySequence<byte>(surrogate.Msgpack));
        return RapHeader.TryRead(ref reader, out RapHeader header)
            ? header
            : throw new InvalidOperationException("a serialized rap header is not a valid header map");
    }

    public RapHeaderSurrogate ConvertToSurrogate(in RapHeader value)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(buffer);
        value.Write(ref writer);
        writer.Flush();
        return new RapHeaderSurrogate { Msgpack = buffer.WrittenSpan.ToArray() };
    }
}
