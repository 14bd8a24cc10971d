namespace OrleansRpc.Protocol.Connections;

/// <summary>Why the protocol ended a channel the application still had open.</summary>
public enum RapChannelCloseReason
{
    /// <summary>The client sent DROP (the DROP answer was already sent).</summary>
    ClientDrop = 1,

    /// <summary>The connection ended.</summary>
    ConnectionClosed,
}
