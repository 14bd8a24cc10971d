namespace OrleansRpc.Grains.Messaging;

/// <summary>
/// A small bounded pool of one request type: a per-thread slot, then a shared array. Misses allocate, extras are
/// dropped, so the pool never holds more than a few dozen requests per closed generic type.
/// </summary>
internal static class GrainRequestPool<T>
    where T : class
{
    [ThreadStatic]
    private static T? t_item;

    private static readonly T?[] s_items = new T?[Math.Clamp(Environment.ProcessorCount * 8, 16, 256)];

    public static T? TryRent()
    {
        var item = t_item;
        if (item is not null)
        {
            t_item = null;
            return item;
        }

        var items = s_items;
        for (var i = 0; i < items.Length; i++)
        {
            item = Volatile.Read(ref items[i]);
            if (item is not null && Interlocked.CompareExchange(ref items[i], null, item) == item)
            {
                return item;
            }
        }

        return null;
    }

    public static void Return(T item)
    {
        if (t_item is null)
        {
            t_item = item;
            return;
        }

        var items = s_items;
        for (var i = 0; i < items.Length; i++)
        {
            if (Volatile.Read(ref items[i]) is null && Interlocked.CompareExchange(ref items[i], item, null) is null)
            {
                return;
            }
        }
    }
}
