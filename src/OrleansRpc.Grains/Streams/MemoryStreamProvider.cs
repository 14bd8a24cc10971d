using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansRpc.Grains.Configuration;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Streams;

/// <summary>An in-process stream provider whose subscriptions have bounded buffers (real back-pressure).</summary>
internal sealed class MemoryStreamProvider : IStreamProvider
{
    private readonly ConcurrentDictionary<StreamId, object> _streams = new();

    public MemoryStreamProvider(string name, MemoryStreamOptions options, ILogger logger)
    {
        Name = name;
        Options = options;
        Logger = logger;
    }

    public string Name { get; }

    public bool IsRewindable => false;

    public MemoryStreamOptions Options { get; }

    public ILogger Logger { get; }

    public static MemoryStreamProvider Create(IServiceProvider services, string name) =>
        new(
            name,
            services.GetRequiredService<IOptionsMonitor<MemoryStreamOptions>>().Get(name),
            services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansRpc.Grains.Streams"));

    public IAsyncStream<T> GetStream<T>(StreamId streamId)
    {
        var stream = _streams.GetOrAdd(streamId, static (id, provider) => new MemoryAsyncStream<T>(provider, id), this);
        return stream as IAsyncStream<T>
            ?? throw new InvalidCastException($"Stream {streamId} of provider '{Name}' carries {stream.GetType().GetGenericArguments()[0]}, not {typeof(T)}.");
    }

    /// <summary>Forgets a stream that completed and has no subscriptions left, so finished streams do not pile up.</summary>
    internal void Forget(StreamId streamId, object stream) => _streams.TryRemove(new KeyValuePair<StreamId, object>(streamId, stream));
}
