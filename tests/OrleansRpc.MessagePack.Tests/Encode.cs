namespace OrleansRpc.MessagePack.Tests;

/// <summary>Runs writer code against a fresh pooled buffer and returns the bytes.</summary>
internal static class Encode
{
    public delegate void WriteAction(ref MessagePackWriter writer);

    public static byte[] With(WriteAction write)
    {
        using var buffer = new PooledBufferWriter(1);
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.ToArray();
    }
}
