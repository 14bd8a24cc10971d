namespace OrleansRpc.Grains.Configuration;

/// <summary>A memory stream provider's settings (named options, one per provider name).</summary>
public sealed class MemoryStreamOptions
{
    public const int DEFAULT_BUFFER_CAPACITY = 64;

    /// <summary>Events buffered per subscription before the producer waits. Default 64.</summary>
    public int BufferCapacity { get; set; } = DEFAULT_BUFFER_CAPACITY;
}
