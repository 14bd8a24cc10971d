using System.Buffers;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Gateway.Connections;

/// <summary>
/// A growable pooled byte buffer holding received bytes that were taken out of the transport pipe
/// because a frame was larger than <see cref="RapConnection.LargeFrameThreshold"/>.
/// </summary>
internal sealed class LargeFrameBuffer : IDisposable
{
    private byte[] _buffer;
    private int _length;

    public LargeFrameBuffer(long initialCapacity) =>
        _buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(initialCapacity * 2, 4096, Array.MaxLength));

    public int Length => _length;

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

    public void Append(in ReadOnlySequence<byte> data)
    {
        long needed = _length + data.Length;
        if (needed > Array.MaxLength)
        {
            throw new MessagePackLimitExceededException(nameof(RapGatewayOptions.MaxFrameBytes), Array.MaxLength, needed);
        }

        if (needed > _buffer.Length)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(needed, (long)_buffer.Length * 2), Array.MaxLength));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length += (int)data.Length;
    }

    /// <summary>Drops the first <paramref name="count"/> bytes (frames already handed on).</summary>
    public void Consume(int count)
    {
        if (count <= 0)
        {
            return;
        }

        _buffer.AsSpan(count, _length - count).CopyTo(_buffer);
        _length -= count;
    }

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
