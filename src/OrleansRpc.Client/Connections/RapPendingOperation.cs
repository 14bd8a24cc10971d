using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Client.Connections;

/// <summary>Something waiting for an answer frame with a given id on one connection.</summary>
internal abstract class RapPendingOperation
{
    /// <summary>Correlation id (HEAD) or msg_id (v0.5.3.8).</summary>
    public long Id { get; set; }

    /// <summary>The answer arrived (called on the read loop; must not block).</summary>
    public abstract void OnFrame(in RapFrame frame);

    /// <summary>The connection failed or the answer could not be processed.</summary>
    public abstract void OnFailed(Exception exception);
}
