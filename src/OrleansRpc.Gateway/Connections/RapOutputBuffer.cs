using System.Buffers;

namespace OrleansRpc.Gateway.Connections;

/// <summary>
/// A growable <see cref="IBufferWriter{T}"/> that holds no array until the first write and gives it back to
/// <see cref="ArrayPool{T}.Shared"/> on <see cref="Release"/>, so an idle connection's output holds no buffer.
/// It remembers the size it last needed, so a busy connection does not grow it again from small every time.
/// Not thread-safe: <see cref="RapConnectionOutput"/> guards it.
/// </summary>
internal sealed class RapOutputBuffer : IBufferWriter<byte>
{
    private const int MinimumSize = 512;

    /// <summary>Arrays above this size are returned rather than kept between batches.</summary>
    internal const int MaxRetainedSize = 64 * 1024;

    private byte[]? _buffer;
    private int _written;
    private int _nextSize = MinimumSize;

    public int WrittenCount => _written;

    public ReadOnlySpan<byte> WrittenSpan => _buffer is null ? default : _buffer.AsSpan(0, _written);

    /// <summary>True while an array is rented.</summary>
    public bool HasBuffer => _buffer is not null;

    /// <summary>The rented array's length (0 when none).</summary>
    public int Capacity => _buffer?.Length ?? 0;

    /// <summary>Forgets what was written but keeps the array.</summary>
    public void Reset() => _written = 0;

    /// <summary>Forgets what was written and returns the array to the pool.</summary>
    public void Release()
    {
        _written = 0;
        if (_buffer is { } buffer)
        {
            _buffer = null;
            _nextSize = Math.Clamp(buffer.Length, MinimumSize, MaxRetainedSize);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > Capacity - _written)
        {
            throw new InvalidOperationException("Cannot advance past the end of the buffer.");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureCapacity(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureCapacity(sizeHint);
        return _buffer.AsSpan(_written);
    }

    private void EnsureCapacity(int sizeHint)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(sizeHint, _nextSize));
            return;
        }

        if (_buffer.Length - _written >= sizeHint)
        {
            return;
        }

        long needed = (long)_written + sizeHint;
        long size = Math.Max(needed, _buffer.Length * 2L);
        if (size > Array.MaxLength)
        {
            size = needed <= Array.MaxLength ? Array.MaxLength : throw new OutOfMemoryException("The output buffer cannot grow beyond Array.MaxLength.");
        }

        byte[] next = ArrayPool<byte>.Shared.Rent((int)size);
        _buffer.AsSpan(0, _written).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }
}
