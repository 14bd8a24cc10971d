using System.Buffers;

namespace OrleansRpc.Benchmarks.Codec;

/// <summary>Links arrays into a multi-segment sequence, as a socket pipe hands them over.</summary>
internal sealed class BenchSegment : ReadOnlySequenceSegment<byte>
{
    public BenchSegment(ReadOnlyMemory<byte> memory)
    {
        Memory = memory;
    }

    public static ReadOnlySequence<byte> Chunk(byte[] data, int size)
    {
        var first = new BenchSegment(data.AsMemory(0, Math.Min(size, data.Length)));
        BenchSegment last = first;
        for (int i = size; i < data.Length; i += size)
        {
            var next = new BenchSegment(data.AsMemory(i, Math.Min(size, data.Length - i))) { RunningIndex = last.RunningIndex + last.Memory.Length };
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
