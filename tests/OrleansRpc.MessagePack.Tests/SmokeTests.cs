using System.Buffers;
using OrleansRpc.MessagePack;

namespace OrleansRpc.MessagePack.Tests;

public class SmokeTests
{
    [Fact]
    public void HeadCallFrame_RoundTrips()
    {
        using var buffer = new PooledBufferWriter();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(4);
        writer.Write(101);
        writer.Write(3);
        writer.WriteMapHeader(1);
        writer.Write("target");
        writer.Write("/default/sum");
        writer.WriteMapHeader(2);
        writer.Write("a");
        writer.Write(1);
        writer.Write("b");
        writer.Write(2);
        writer.Flush();

        Assert.Equal(
            "94-65-03-81-A6-74-61-72-67-65-74-AC-2F-64-65-66-61-75-6C-74-2F-73-75-6D-82-A1-61-01-A1-62-02",
            BitConverter.ToString(buffer.WrittenSpan.ToArray()));

        var sequence = new ReadOnlySequence<byte>(buffer.WrittenMemory);
        Assert.Equal(MessagePackFrameStatus.Complete, MessagePackFrameReader.TryReadNext(sequence, MessagePackReaderOptions.Default, out SequencePosition end));
        Assert.Equal(buffer.WrittenCount, sequence.Slice(0, end).Length);

        MessagePackValue value = MessagePackValue.Parse(buffer.WrittenSpan);
        Assert.Equal(101, value[0].AsInt64());
        Assert.Equal("/default/sum", value[2]["target"].AsString());
        Assert.Equal(buffer.WrittenSpan.ToArray(), value.ToArray());
    }
}
