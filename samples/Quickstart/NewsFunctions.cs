using Orleans;
using Orleans.Runtime;
using Orleans.Streams;
using OrleansRpc.Server;

namespace Quickstart;

/// <summary>
/// Orleans streams for rap clients: <c>publish</c> puts a message on a topic's stream, <c>subscribe</c> follows it as a
/// generator. Any number of rap clients, on any gateway of the cluster, can follow one topic; a client that reads too
/// slowly is dropped with <c>BufferError</c> instead of being buffered without bound.
/// </summary>
[RapGroup("news")]
public sealed class NewsFunctions(IClusterClient cluster)
{
    /// <summary>Messages a subscriber may fall behind before it is dropped.</summary>
    public const int SubscriberBuffer = 256;

    [RapFunction(Name = "publish")]
    public async Task Publish(string topic, string text) => await Topic(topic).OnNextAsync(text).ConfigureAwait(false);

    [RapFunction(Name = "subscribe")]
    public IAsyncEnumerable<string> Subscribe(string topic, CancellationToken cancellationToken = default)
        => Topic(topic).ReadForRapAsync(SubscriberBuffer, cancellationToken);

    private IAsyncStream<string> Topic(string topic)
        => cluster.GetStreamProvider(RapSiloBuilderExtensions.StreamProviderName).GetStream<string>(StreamId.Create("news", topic));
}
