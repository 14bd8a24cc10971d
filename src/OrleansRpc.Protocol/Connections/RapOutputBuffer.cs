using System.Buffers;

namespace OrleansRpc.Protocol.Connections;

/// <summary>
/// The state machine's queue of encoded frames: an array rented from <see cref="ArrayPool{T}.Shared"/> on the first
/// write and given back by <see cref="Release"/> once the transport took the bytes, so an idle connection holds no
/// buffer. Not thread-safe (used under the connection's lock).
/// </summary>
internal sealed class RapOutputBuffer : IBufferWriter<byte>
{
    private readonly int _initialCapacity;
    private byte[] _buffer = [];
    private int _written;

    public RapOutputBuffer(int initialCapacity) => _initialCapacity = initialCapacity;

    public int WrittenCount => _written;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    /// <summary>Whether a pooled array is held.</summary>
    public bool HoldsBuffer => _buffer.Length > 0;

    /// <summary>Forgets what was written, keeping the array.</summary>
    public void Reset() => _written = 0;

    /// <summary>Forgets what was written and returns the array to the pool.</summary>
    public void Release()
    {
        var buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > _buffer.Length - _written)
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
        if (_buffer.Length - _written >= sizeHint)
        {
            return;
        }

        var needed = (long)_written + sizeHint;
        var size = Math.Max(needed, Math.Max(_buffer.Length * 2L, _initialCapacity));
        if (size > Array.MaxLength)
        {
            size = needed <= Array.MaxLength ? Array.MaxLength : throw new OutOfMemoryException("The output cannot grow beyond Array.MaxLength.");
        }

        var next = ArrayPool<byte>.Shared.Rent((int)size);
        _buffer.AsSpan(0, _written).CopyTo(next);
        var old = _buffer;
        _buffer = next;
        if (old.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(old);
        }
    }
}
