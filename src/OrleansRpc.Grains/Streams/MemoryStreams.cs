using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansRpc.Grains.Configuration;

namespace OrleansRpc.Grains.Streams;

/// <summary>
/// A memory stream provider outside any silo, for components that use streams without hosting grains (a server
/// run without the grain runtime, tests). Inside a silo use <c>AddMemoryStreams(name)</c> and <c>GetStreamProvider</c>.
/// </summary>
public static class MemoryStreams
{
    public static IStreamProvider CreateProvider(string name, MemoryStreamOptions? options = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        options ??= new MemoryStreamOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BufferCapacity, 1, nameof(options));
        return new MemoryStreamProvider(name, options, logger ?? NullLogger.Instance);
    }
}
