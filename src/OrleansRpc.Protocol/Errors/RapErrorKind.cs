namespace OrleansRpc.Protocol.Errors;

/// <summary>
/// The rap error classes a server can answer with (`rap.common.exceptions`). Each has a status code per generation,
/// see <see cref="RapStatusCodes"/>; the client raises the class with the body text as its message.
/// </summary>
public enum RapErrorKind
{
    /// <summary><c>AuthError</c>: HEAD 401, v0.5.3.8 501.</summary>
    AuthError = 1,

    /// <summary><c>FuncNotFoundError</c>: HEAD 404, v0.5.3.8 502.</summary>
    FuncNotFound,

    /// <summary><c>TooManyRequest</c>: HEAD 429, v0.5.3.8 511.</summary>
    TooManyRequest,

    /// <summary><c>ServerError</c>: 500 in both.</summary>
    ServerError,

    /// <summary><c>LifeCycleError</c>: HEAD 1001, v0.5.3.8 503.</summary>
    LifeCycleError,

    /// <summary><c>ParseError</c>: HEAD 1002, v0.5.3.8 504.</summary>
    ParseError,

    /// <summary><c>ProtocolError</c>: HEAD 1003, v0.5.3.8 505.</summary>
    ProtocolError,

    /// <summary><c>RegisteredError</c>: HEAD 1004, v0.5.3.8 506.</summary>
    RegisteredError,

    /// <summary><c>RpcRunTimeError</c>: HEAD 1005, v0.5.3.8 508.</summary>
    RpcRunTimeError,

    /// <summary><c>RPCError</c>: HEAD 1006; v0.5.3.8 has no own code (500, read back as ServerError).</summary>
    RpcError,

    /// <summary><c>CryptoError</c>: HEAD 1007, v0.5.3.8 509.</summary>
    CryptoError,

    /// <summary><c>ChannelError</c>: HEAD 1008, v0.5.3.8 510.</summary>
    ChannelError,

    /// <summary><c>ChannelLifecycleError</c>: HEAD 10081; v0.5.3.8 has none (510).</summary>
    ChannelLifecycleError,
}
