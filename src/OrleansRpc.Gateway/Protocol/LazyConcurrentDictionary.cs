using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace OrleansRpc.Gateway.Protocol;

/// <summary>
/// A <see cref="ConcurrentDictionary{TKey, TValue}"/> created on the first insert: an empty one costs about half a
/// kilobyte, and most connections never use their per-connection maps (parked v0.5.3.8 generators, channels).
/// </summary>
internal sealed class LazyConcurrentDictionary<TKey, TValue>
    where TKey : notnull
{
    private ConcurrentDictionary<TKey, TValue>? _inner;

    /// <summary>True once the first entry was added (for tests).</summary>
    public bool IsCreated => Volatile.Read(ref _inner) is not null;

    /// <summary>A snapshot of the keys (empty before the first insert).</summary>
    public ICollection<TKey> Keys => Volatile.Read(ref _inner)?.Keys ?? [];

    public TValue this[TKey key]
    {
        set => GetOrCreate()[key] = value;
    }

    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        if (Volatile.Read(ref _inner) is { } inner)
        {
            return inner.TryGetValue(key, out value);
        }

        value = default;
        return false;
    }

    public bool TryRemove(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        if (Volatile.Read(ref _inner) is { } inner)
        {
            return inner.TryRemove(key, out value);
        }

        value = default;
        return false;
    }

    private ConcurrentDictionary<TKey, TValue> GetOrCreate() =>
        Volatile.Read(ref _inner)
        ?? Interlocked.CompareExchange(ref _inner, new ConcurrentDictionary<TKey, TValue>(), null)
        ?? _inner!;
}
