using System.Buffers;

namespace OrleansRpc.Gateway.Connections;

/// <summary>
/// The protocol logic of one connection, driven by <see cref="RapConnection"/>: it gets each complete
/// frame, the drain request and the end of the connection, and answers through <see cref="RapConnection.Output"/>.
/// </summary>
internal interface IRapFrameHandler
{
    /// <summary>
    /// One complete msgpack value from the client. Runs on the connection's read loop; the bytes are only
    /// valid during the call. Throwing closes the connection (malformed input).
    /// </summary>
    void OnFrame(in ReadOnlySequence<byte> frame);

    /// <summary>
    /// Every complete frame of one read has been handed to <see cref="OnFrame"/>: work held back to go out together
    /// (unary calls batched into one grain call) starts now.
    /// </summary>
    void OnFramesEnd()
    {
    }

    /// <summary>The server is stopping: tell the client (HEAD <c>shutdown</c>) and let in-flight work finish.</summary>
    void OnDrain(TimeSpan drainTimeout);

    /// <summary>The connection ended (either side): cancel and release everything that belongs to it.</summary>
    void OnClosed();
}
