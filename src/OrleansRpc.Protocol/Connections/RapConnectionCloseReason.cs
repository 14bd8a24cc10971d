namespace OrleansRpc.Protocol.Connections;

/// <summary>Why a connection ended.</summary>
public enum RapConnectionCloseReason
{
    /// <summary>The client closed the stream.</summary>
    ClientClosed = 1,

    /// <summary>The first frame was neither generation (§5), or the bytes were not msgpack before detection.</summary>
    UnknownProtocol,

    /// <summary>A malformed frame (CLOSE/event_close_conn "protocol error" was sent).</summary>
    ProtocolError,

    /// <summary>An unknown HEAD msg_type (CLOSE "Illegal request" was sent).</summary>
    IllegalRequest,

    /// <summary>Undecodable msgpack or a frame above the size limit.</summary>
    MalformedInput,

    /// <summary>No pong for <see cref="RapConnectionOptions.PongTimeout"/>.</summary>
    PongTimeout,

    /// <summary>No frame for <see cref="RapConnectionOptions.IdleTimeout"/>.</summary>
    IdleTimeout,

    /// <summary>The client sent a HEAD CLOSE event.</summary>
    ClientCloseEvent,

    /// <summary>The server closed it (<see cref="RapServerConnection.Close"/>).</summary>
    ServerClosed,

    /// <summary>A graceful shutdown ended (drained or timed out).</summary>
    Shutdown,
}
