using Orleans;
using Orleans.Concurrency;

namespace OrleansRpc.Server;

/// <summary>
/// A grain that runs rap channel handlers: client→server messages arrive as grain calls carrying a sequence number
/// (calls between silos may overtake each other; the host restores their order), server→client messages leave
/// through an <c>IAsyncEnumerable</c> outbox that ends with the channel's end event. Hosted by a keyed grain
/// (<see cref="IChannelGrain"/>, or the caller's <see cref="ISessionGrain"/> when the handler takes a
/// <see cref="RapSession"/>), so every call of one channel reaches the same activation.
/// </summary>
[Alias("orleansrpc.IRapChannelHost")]
public interface IRapChannelHost : IGrain
{
    /// <summary>Opens channel <paramref name="channel"/> and starts its handler.</summary>
    [AlwaysInterleave, Alias("open-channel")]
    Task OpenChannelAsync(Guid channel, string channelId, RapInvocation invocation);

    /// <summary>
    /// Hands the client's message number <paramref name="sequence"/> (0, 1, …) to the handler; completes when the handler's
    /// inbox has room for it (back-pressure). A message for a channel that has ended is dropped.
    /// </summary>
    [AlwaysInterleave, Alias("deliver")]
    Task DeliverAsync(Guid channel, long sequence, byte[] message, CancellationToken cancellationToken);

    /// <summary>The server→client messages, then one end event; the channel's state is released after it.</summary>
    [Alias("read-channel")]
    IAsyncEnumerable<RapChannelEvent> ReadChannelAsync(Guid channel, CancellationToken cancellationToken);

    /// <summary>Ends the channel from the client's side (drop, connection lost, shutdown): cancels the handler.</summary>
    [AlwaysInterleave, Alias("end-channel")]
    Task EndChannelAsync(Guid channel, RapChannelEndReason reason);
}
