using System.Buffers;

namespace OrleansRpc.MessagePack.Tests;

public class PooledBufferWriterTests
{
    [Fact]
    public void Grows_Resets_AndKeepsWrittenBytes()
    {
        using var buffer = new PooledBufferWriter(16);
        var writer = new MessagePackWriter(buffer);
        for (int i = 0; i < 1000; i++)
        {
            writer.Write(i);
        }

        writer.Flush();
        int written = buffer.WrittenCount;
        var reader = new MessagePackReader(buffer.WrittenMemory);
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(i, reader.ReadInt32());
        }

        Assert.Equal(written, buffer.WrittenSpan.Length);
        buffer.Reset();
        Assert.Equal(0, buffer.WrittenCount);
        Assert.True(buffer.FreeCapacity >= written);
        Assert.Throws<InvalidOperationException>(() => buffer.Advance(buffer.FreeCapacity + 1));
    }

    [Fact]
    public void LargePayload_IsWrittenInChunks_Correctly()
    {
        byte[] payload = new byte[300_000];
        new Random(7).NextBytes(payload);
        using var buffer = new PooledBufferWriter(1);
        var writer = new MessagePackWriter(buffer);
        writer.Write(payload.AsSpan());
        writer.Flush();
        Assert.Equal(5 + payload.Length, buffer.WrittenCount);
        Assert.Equal(payload, new MessagePackReader(buffer.WrittenMemory).ReadBytes()!.Value.ToArray());
    }

    [Fact]
    public void Dispose_ReturnsTheBuffer_AndRefusesFurtherWrites()
    {
        var buffer = new PooledBufferWriter();
        buffer.GetSpan(10)[0] = 1;
        buffer.Advance(1);
        buffer.Dispose();
        Assert.Equal(0, buffer.WrittenCount);
        Assert.Throws<ObjectDisposedException>(() => buffer.GetSpan(1));
        buffer.Dispose(); // idempotent
    }
}
