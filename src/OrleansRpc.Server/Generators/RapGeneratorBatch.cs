using System.Buffers;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Server;

/// <summary>
/// Encoded items of one generator that were ready together, in one pooled buffer: the event type of a generator's grain
/// stream. Each item stays its own msgpack value (and becomes its own frame on the wire); the batch only saves the
/// per-item buffer and hand-off. Batches are reused (a small process-wide pool), so a reader must not keep one.
/// </summary>
public sealed class RapGeneratorBatch
{
    private const int InitialBytes = 1024;

    // Idle batches kept for the next generators, small ones only: at most MaxPooled × (MaxPooledBytes + ends) bytes.
    private const int MaxPooled = 64;
    private const int MaxPooledBytes = 8 * 1024;
    private static readonly Lock s_poolLock = new();
    private static readonly Stack<RapGeneratorBatch> s_pool = new(MaxPooled);

    private readonly PooledBufferWriter _buffer;
    private int[] _ends;
    private int _count;

    private RapGeneratorBatch(int initialItems)
    {
        _buffer = new PooledBufferWriter(InitialBytes);
        _ends = new int[Math.Max(1, initialItems)];
    }

    /// <summary>Number of items.</summary>
    public int Count => _count;

    /// <summary>Encoded bytes of all items.</summary>
    public int ByteCount => _buffer.WrittenCount;

    /// <summary>The msgpack encoding of item <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
            int start = index == 0 ? 0 : _ends[index - 1];
            return _buffer.WrittenSpan[start.._ends[index]];
        }
    }

    /// <summary>Where the next item is encoded; <see cref="EndItem"/> closes it.</summary>
    internal IBufferWriter<byte> Writer => _buffer;

    internal void EndItem()
    {
        if (_count == _ends.Length)
        {
            Array.Resize(ref _ends, _count * 2);
        }

        _ends[_count++] = _buffer.WrittenCount;
    }

    /// <summary>An empty batch for up to about <paramref name="items"/> items, from the pool when one is idle.</summary>
    internal static RapGeneratorBatch Rent(int items)
    {
        lock (s_poolLock)
        {
            if (s_pool.TryPop(out RapGeneratorBatch? batch))
            {
                return batch;
            }
        }

        return new RapGeneratorBatch(Math.Min(items, 1024));
    }

    /// <summary>Gives the batch back (it must not be used afterwards): kept for reuse when small, else its buffer goes back to the array pool.</summary>
    internal void Return()
    {
        _count = 0;
        _buffer.Reset();
        if (_buffer.FreeCapacity <= MaxPooledBytes)
        {
            lock (s_poolLock)
            {
                if (s_pool.Count < MaxPooled)
                {
                    s_pool.Push(this);
                    return;
                }
            }
        }

        _buffer.Dispose();
    }
}
