using System.Buffers;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Protocol.Detection;

/// <summary>
/// Tells the generations apart from the first complete msgpack value a client sends (§5): a 4-array with
/// type 101/102/103/203 and a map third element is HEAD; a 6-array with num 101/102/103 and str third and
/// fourth elements is v0.5.3.8; anything else is neither.
/// </summary>
public static class RapVersionDetector
{
    /// <summary>Classifies one complete msgpack value; <see langword="null"/> means "close the connection".</summary>
    public static RapVersion? Detect(in ReadOnlySequence<byte> firstFrame)
    {
        try
        {
            var reader = new MessagePackReader(firstFrame);
            if (reader.NextMessagePackType != MessagePackType.Array)
            {
                return null;
            }

            var length = reader.ReadArrayHeader();
            if (length is not (4 or 6) || reader.NextMessagePackType != MessagePackType.Integer)
            {
                return null;
            }

            var type = reader.NextCode == MessagePackCode.UInt64 ? -1 : reader.ReadInt64();
            if (length == 4)
            {
                if (!HeadMessageType.IsDefined(type))
                {
                    return null;
                }

                reader.Skip();
                return reader.NextMessagePackType == MessagePackType.Map ? RapVersion.Head : null;
            }

            if (!LegacyMessageType.IsClientRequest(type))
            {
                return null;
            }

            reader.Skip();
            if (reader.NextMessagePackType != MessagePackType.String)
            {
                return null;
            }

            reader.Skip();
            return reader.NextMessagePackType == MessagePackType.String ? RapVersion.V0538 : null;
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or OverflowException)
        {
            return null;
        }
    }
}
