namespace OrleansRpc.Grains.Messaging;

/// <summary>
/// A bounded pool of one request type: a per-thread slot (a call that completes inline returns its request on the
/// thread that rents the next one), then a shared stack sized for a server's calls in flight (rented on a connection's
/// read loop, returned on whichever thread completed the call). Misses allocate, extras are dropped.
/// </summary>
internal static class GrainRequestPool<T>
    where T : class
{
    private const int Capacity = 512;

    [ThreadStatic]
    private static T? t_item;

    private static readonly Lock s_lock = new();
    private static readonly T?[] s_items = new T?[Capacity];
    private static int s_count;

    public static T? TryRent()
    {
        var item = t_item;
        if (item is not null)
        {
            t_item = null;
            return item;
        }

        if (Volatile.Read(ref s_count) == 0)
        {
            return null;
        }

        lock (s_lock)
        {
            if (s_count == 0)
            {
                return null;
            }

            var index = --s_count;
            item = s_items[index];
            s_items[index] = null;
            return item;
        }
    }

    public static void Return(T item)
    {
        if (t_item is null)
        {
            t_item = item;
            return;
        }

        lock (s_lock)
        {
            if (s_count < Capacity)
            {
                s_items[s_count++] = item;
            }
        }
    }
}
