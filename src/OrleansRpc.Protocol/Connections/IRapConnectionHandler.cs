namespace OrleansRpc.Protocol.Connections;

/// <summary>
/// The application side of a <see cref="RapServerConnection"/>. Callbacks run synchronously on the thread that fed
/// the connection, inside its lock: do not block; start work and answer later through the connection's methods
/// (answering synchronously from a callback is allowed).
/// </summary>
public interface IRapConnectionHandler
{
    /// <summary>A call (v0.5.3.8: a new call, possibly the first step of a generator).</summary>
    void OnCall(RapServerConnection connection, in RapCallRequest request);

    /// <summary>v0.5.3.8: the next step of a generator started with <see cref="RapServerConnection.StartGenerator"/>.</summary>
    void OnGeneratorNext(RapServerConnection connection, in RapCallRequest request);

    /// <summary>A channel DECLARE.</summary>
    void OnChannelOpen(RapServerConnection connection, in RapChannelOpenRequest request);

    /// <summary>A client MSG on an open channel.</summary>
    void OnChannelMessage(RapServerConnection connection, in RapChannelMessage message);

    /// <summary>The protocol ended a channel (client DROP or connection end); stop its function.</summary>
    void OnChannelClosed(RapServerConnection connection, long channelToken, RapChannelCloseReason reason);

    /// <summary>The connection ended: cancel its calls, free its generators. Called once.</summary>
    void OnConnectionClosed(RapServerConnection connection, RapConnectionCloseReason reason);

    /// <summary>Frames are waiting in the connection's output (called outside the lock; coalesce wake-ups).</summary>
    void OnOutputAvailable(RapServerConnection connection);
}
