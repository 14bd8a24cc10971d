using System.Buffers;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Testing;

/// <summary>Cuts a byte stream of back-to-back msgpack values into frames (what a rap peer's reader does).</summary>
public static class FrameSplitter
{
    /// <summary>The complete frames in <paramref name="stream"/>; throws if bytes are left over.</summary>
    public static List<byte[]> Split(ReadOnlySpan<byte> stream)
    {
        var frames = new List<byte[]>();
        var buffer = new ReadOnlySequence<byte>(stream.ToArray());
        while (!buffer.IsEmpty)
        {
            if (MessagePackFrameReader.TryReadNext(buffer, MessagePackReaderOptions.Default, out var end) != MessagePackFrameStatus.Complete)
            {
                throw new InvalidDataException($"{buffer.Length} trailing bytes do not form a complete msgpack value.");
            }

            frames.Add(buffer.Slice(0, end).ToArray());
            buffer = buffer.Slice(end);
        }

        return frames;
    }
}
