namespace OrleansRpc.Client.Connections;

/// <summary>Life cycle of a client connection.</summary>
internal enum RapConnectionState
{
    Connecting,
    Ready,

    /// <summary>No new calls (server shutdown, failed liveness); closes when the last call ends.</summary>
    Draining,
    Closed,
}
