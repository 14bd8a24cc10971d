using System.Buffers;

namespace OrleansRpc.MessagePack.Tests;

/// <summary>A linked segment for building multi-segment <see cref="ReadOnlySequence{T}"/> in tests.</summary>
internal sealed class TestSegment : ReadOnlySequenceSegment<byte>
{
    public TestSegment(ReadOnlyMemory<byte> memory)
    {
        Memory = memory;
    }

    public TestSegment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new TestSegment(memory) { RunningIndex = RunningIndex + Memory.Length };
        Next = next;
        return next;
    }
}
