using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Streams;

/// <summary>A named stream provider, registered with <c>AddMemoryStreams(name)</c>.</summary>
public interface IStreamProvider
{
    string Name { get; }

    bool IsRewindable { get; }

    IAsyncStream<T> GetStream<T>(StreamId streamId);
}
