namespace OrleansRpc.Server;

/// <summary>Why a channel ended.</summary>
public enum RapChannelEndReason
{
    /// <summary>The handler returned (or called <see cref="IRapChannel.CloseAsync"/>): the server sends its drop.</summary>
    HandlerCompleted,

    /// <summary>The handler threw: the server sends its drop (HEAD generators: a 301 frame first).</summary>
    HandlerFaulted,

    /// <summary>The client sent a drop: the handler is cancelled and the server answers with its drop.</summary>
    PeerDropped,

    /// <summary>The connection went away: nothing more can be sent.</summary>
    ConnectionLost,

    /// <summary>The server is shutting down.</summary>
    ServerShutdown,
}
