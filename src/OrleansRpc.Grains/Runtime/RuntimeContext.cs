namespace OrleansRpc.Grains.Runtime;

/// <summary>The activation whose turn is running on this thread, if any.</summary>
public static class RuntimeContext
{
    [ThreadStatic]
    private static IGrainContext? t_current;

    /// <summary>The current activation, or null outside a grain turn.</summary>
    public static IGrainContext? Current => t_current;

    internal static IGrainContext? Set(IGrainContext? context)
    {
        var previous = t_current;
        t_current = context;
        return previous;
    }
}
