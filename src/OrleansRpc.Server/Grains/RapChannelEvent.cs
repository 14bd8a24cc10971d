using Orleans;

namespace OrleansRpc.Server;

/// <summary>
/// One event of a channel's server→client direction (the channel host's outbox <c>IAsyncEnumerable</c>): a message
/// (its msgpack encoding) or, last, the end of the channel with its reason.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansrpc.channel-event")]
public sealed class RapChannelEvent
{
    /// <summary>The message's msgpack encoding; null on the end event.</summary>
    [Id(0)]
    public byte[]? Message { get; init; }

    /// <summary>On the end event: why the channel ended.</summary>
    [Id(1)]
    public RapChannelEndReason EndReason { get; init; }

    /// <summary>On the end event of a failed handler: its exception, as Python would name it.</summary>
    [Id(2)]
    public string? Fault { get; init; }

    public bool IsEnd => Message is null;
}
