using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Connections;

/// <summary>Per-thread encode buffers for frames: frames are encoded synchronously, so no await happens while one is rented.</summary>
internal static class RapScratch
{
    [ThreadStatic]
    private static PooledBufferWriter? t_frame;

    [ThreadStatic]
    private static PooledBufferWriter? t_body;

    public static PooledBufferWriter RentFrame()
    {
        var buffer = t_frame ?? new PooledBufferWriter(1024);
        t_frame = null;
        buffer.Reset();
        return buffer;
    }

    public static void ReturnFrame(PooledBufferWriter buffer)
    {
        if (buffer.WrittenCount > 1024 * 1024)
        {
            buffer.Dispose();
            return;
        }

        t_frame = buffer;
    }

    public static PooledBufferWriter RentBody()
    {
        var buffer = t_body ?? new PooledBufferWriter(1024);
        t_body = null;
        buffer.Reset();
        return buffer;
    }

    public static void ReturnBody(PooledBufferWriter buffer)
    {
        if (buffer.WrittenCount > 1024 * 1024)
        {
            buffer.Dispose();
            return;
        }

        t_body = buffer;
    }
}
