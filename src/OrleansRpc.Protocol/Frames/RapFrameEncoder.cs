using System.Buffers;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Protocol.Frames;

/// <summary>Encodes a <see cref="RapFrame"/> in its generation's layout, straight into an <see cref="IBufferWriter{T}"/>.</summary>
public static class RapFrameEncoder
{
    /// <summary>Writes <paramref name="frame"/>; a frame decoded from Python-produced bytes re-encodes byte-identically.</summary>
    public static void Write(IBufferWriter<byte> output, in RapFrame frame)
    {
        ArgumentNullException.ThrowIfNull(output);
        var writer = new MessagePackWriter(output);
        Write(ref writer, frame);
        writer.Flush();
    }

    /// <summary>Writes <paramref name="frame"/> with an existing writer (not flushed).</summary>
    public static void Write(ref MessagePackWriter writer, in RapFrame frame)
    {
        if (frame.Version == RapVersion.Head)
        {
            writer.WriteArrayHeader(4);
            writer.Write(frame.MessageType);
            writer.Write(frame.Id);
        }
        else
        {
            writer.WriteArrayHeader(6);
            writer.Write(frame.MessageType);
            writer.Write(frame.Id);
            writer.Write(frame.Group);
            writer.Write(frame.FunctionName);
        }

        frame.Header.Write(ref writer);
        WriteRaw(ref writer, frame.Body);
    }

    /// <summary>Copies pre-encoded msgpack (possibly multi-segment).</summary>
    public static void WriteRaw(ref MessagePackWriter writer, in ReadOnlySequence<byte> raw)
    {
        if (raw.IsSingleSegment)
        {
            writer.WriteRaw(raw.FirstSpan);
            return;
        }

        foreach (var segment in raw)
        {
            writer.WriteRaw(segment.Span);
        }
    }
}
