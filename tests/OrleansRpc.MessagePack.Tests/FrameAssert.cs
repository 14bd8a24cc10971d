using System.Buffers;

namespace OrleansRpc.MessagePack.Tests;

internal static class FrameAssert
{
    /// <summary>The whole buffer is exactly one frame, as a single span and as a sequence.</summary>
    public static void CompleteAtEnd(byte[] bytes, MessagePackReaderOptions? options = null)
    {
        CompleteAtEnd(new ReadOnlySequence<byte>(bytes), options);
        Assert.Equal(MessagePackFrameStatus.Complete, MessagePackFrameReader.TryReadNext(bytes, options ?? MessagePackReaderOptions.Default, out int length));
        Assert.Equal(bytes.Length, length);
    }

    public static void CompleteAtEnd(ReadOnlySequence<byte> sequence, MessagePackReaderOptions? options = null)
    {
        MessagePackFrameStatus status = MessagePackFrameReader.TryReadNext(sequence, options ?? MessagePackReaderOptions.Default, out SequencePosition end);
        Assert.Equal(MessagePackFrameStatus.Complete, status);
        Assert.Equal(sequence.Length, sequence.Slice(0, end).Length);
    }

    public static void NeedsMoreData(byte[] truncated, MessagePackReaderOptions? options = null)
    {
        NeedsMoreData(new ReadOnlySequence<byte>(truncated), options);
        NeedsMoreData(Sequences.Chunked(truncated, 1, withEmptySegments: true), options);
        Assert.Equal(MessagePackFrameStatus.NeedMoreData, MessagePackFrameReader.TryReadNext(truncated, options ?? MessagePackReaderOptions.Default, out _));
    }

    public static void NeedsMoreData(ReadOnlySequence<byte> sequence, MessagePackReaderOptions? options = null)
    {
        MessagePackFrameStatus status = MessagePackFrameReader.TryReadNext(sequence, options ?? MessagePackReaderOptions.Default, out SequencePosition end);
        Assert.Equal(MessagePackFrameStatus.NeedMoreData, status);
        Assert.Equal(0, sequence.Slice(sequence.Start, end).Length);
    }
}
