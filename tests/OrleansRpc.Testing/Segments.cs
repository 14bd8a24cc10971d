using System.Buffers;

namespace OrleansRpc.Testing;

/// <summary>Builds multi-segment sequences, the way a socket pipe hands received bytes over.</summary>
public static class Segments
{
    /// <summary>Splits <paramref name="data"/> into linked segments of <paramref name="size"/> bytes.</summary>
    public static ReadOnlySequence<byte> Chunked(byte[] data, int size)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (data.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(data.AsMemory(0, Math.Min(size, data.Length)), 0);
        var last = first;
        for (var offset = size; offset < data.Length; offset += size)
        {
            last = last.Append(data.AsMemory(offset, Math.Min(size, data.Length - offset)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
