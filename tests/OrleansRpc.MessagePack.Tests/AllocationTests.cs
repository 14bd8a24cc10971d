using System.Buffers;

namespace OrleansRpc.MessagePack.Tests;

/// <summary>The hot paths allocate nothing: measured with the thread's allocation counter, not timing.</summary>
public class AllocationTests
{
    [Fact]
    public void HotPaths_DoNotAllocate()
    {
        using var output = new PooledBufferWriter(256);
        byte[] frame = WriteFrame(output).ToArray();
        byte[] stream = Enumerable.Repeat(frame, 50).SelectMany(f => f).ToArray();
        var single = new ReadOnlySequence<byte>(stream);
        ReadOnlySequence<byte> segmented = Sequences.Chunked(stream, 64);

        // Warm up (JIT, static state), then count.
        Assert.True(Run(output, single, segmented));
        long before = GC.GetAllocatedBytesForCurrentThread();
        bool ok = true;
        for (int i = 0; i < 20; i++)
        {
            ok &= Run(output, single, segmented);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(ok);
        Assert.Equal(0, allocated);
    }

    // Plain checks, no Assert calls inside the measured region (xunit's comparers may allocate).
    private static bool Run(PooledBufferWriter output, ReadOnlySequence<byte> single, ReadOnlySequence<byte> segmented)
    {
        WriteFrame(output);
        bool ok = CountFrames(single) == 50 && CountFrames(segmented) == 50;
        var reader = new MessagePackReader(single);
        ok &= reader.ReadArrayHeader() == 4;
        ok &= reader.ReadInt32() == 101;
        ok &= reader.ReadInt64() == 3;
        ok &= reader.ReadMapHeader() == 1;
        ok &= reader.ReadStringEquals("target"u8);
        ok &= reader.TryReadStringSpan(out ReadOnlySpan<byte> target) && target.SequenceEqual("/default/sum"u8);
        ok &= reader.ReadMapHeader() == 2;
        ok &= reader.ReadStringEquals("a"u8);
        ok &= reader.ReadInt32() == 1;
        reader.Skip();
        reader.Skip();
        return ok;
    }

    private static int CountFrames(ReadOnlySequence<byte> buffer)
    {
        int count = 0;
        while (MessagePackFrameReader.TryReadNext(buffer, MessagePackReaderOptions.Default, out SequencePosition end) == MessagePackFrameStatus.Complete)
        {
            buffer = buffer.Slice(end);
            count++;
        }

        return count;
    }

    private static ReadOnlySpan<byte> WriteFrame(PooledBufferWriter output)
    {
        output.Reset();
        var writer = new MessagePackWriter(output);
        writer.WriteArrayHeader(4);
        writer.Write(101);
        writer.Write(3);
        writer.WriteMapHeader(1);
        writer.Write("target");
        writer.Write("/default/sum");
        writer.WriteMapHeader(2);
        writer.Write("a");
        writer.Write(1);
        writer.WriteString("b"u8);
        writer.Write(2.5);
        writer.Flush();
        return output.WrittenSpan;
    }
}
