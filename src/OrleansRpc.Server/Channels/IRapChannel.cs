using OrleansRpc.MessagePack;

namespace OrleansRpc.Server;

/// <summary>
/// The server side of a rap channel, given to a channel handler (a function whose one wire-facing parameter is an
/// <see cref="IRapChannel"/>). Messages are msgpack values in both directions, delivered in order and bounded
/// (a slow side slows the other). The channel ends exactly once: the peer's drop, the handler returning or
/// throwing, <see cref="CloseAsync"/>, connection loss or server shutdown; then <see cref="Aborted"/> fires when
/// the end came from outside the handler, reads end and writes throw <see cref="RapChannelClosedException"/>.
/// Enumerate it with <c>await foreach</c> to read until the channel ends.
/// </summary>
public interface IRapChannel : IAsyncEnumerable<MessagePackValue>
{
    /// <summary>HEAD: the DECLARE correlation id; 0.5.3.8: the <c>channel_id</c> header.</summary>
    string Id { get; }

    RapCallContext Context { get; }

    /// <summary>Fires when the channel was ended from outside the handler (peer drop, connection loss, shutdown).</summary>
    CancellationToken Aborted { get; }

    /// <summary>True once the channel has ended.</summary>
    bool IsClosed { get; }

    /// <summary>Completes with the reason once the channel has ended.</summary>
    Task<RapChannelEndReason> Completion { get; }

    /// <summary>Reads the next client message; throws <see cref="RapChannelClosedException"/> once the channel ended.</summary>
    ValueTask<MessagePackValue> ReadAsync(CancellationToken cancellationToken = default);

    /// <summary>Sends a message to the client; waits while the outgoing buffer is full.</summary>
    ValueTask WriteAsync(MessagePackValue body, CancellationToken cancellationToken = default);

    /// <summary>Ends the channel from the server side (the client receives a drop).</summary>
    ValueTask CloseAsync();
}
