using OrleansRpc.Protocol.Errors;

namespace OrleansRpc.Client;

/// <summary>
/// The server answered a call with an error. Carries the wire <see cref="StatusCode"/>, the Python exception class
/// name a rap client would raise (<see cref="PythonExceptionName"/>) and the server's message text.
/// </summary>
public class RapRemoteException : Exception
{
    public RapRemoteException()
        : this(0, "RPCError", string.Empty)
    {
    }

    public RapRemoteException(string message)
        : this(0, "RPCError", message)
    {
    }

    public RapRemoteException(string message, Exception innerException)
        : base(message, innerException)
    {
        PythonExceptionName = "RPCError";
        RemoteMessage = message;
    }

    public RapRemoteException(long statusCode, string pythonExceptionName, string remoteMessage)
        : base(string.IsNullOrEmpty(remoteMessage) ? pythonExceptionName : pythonExceptionName + ": " + remoteMessage)
    {
        StatusCode = statusCode;
        PythonExceptionName = pythonExceptionName;
        RemoteMessage = remoteMessage;
    }

    /// <summary>The <c>status_code</c> of the answer (HEAD 301 or an error code; v0.5.3.8 200 for a raised function).</summary>
    public long StatusCode { get; }

    /// <summary>The Python class name (<c>FuncNotFoundError</c>, <c>ValueError</c>, …).</summary>
    public string PythonExceptionName { get; }

    /// <summary>The message text exactly as the server sent it.</summary>
    public string RemoteMessage { get; }

    /// <summary>The rap error class, when the status code is one of rap's own.</summary>
    public RapErrorKind? Kind { get; init; }

    /// <summary>Builds the most specific exception for a status-code error (§2.6, §3.6).</summary>
    public static RapRemoteException FromStatus(long statusCode, RapErrorKind kind, string message) => kind switch
    {
        RapErrorKind.FuncNotFound => new RapFunctionNotFoundException(statusCode, message) { Kind = kind },
        RapErrorKind.ParseError => new RapParseException(statusCode, message) { Kind = kind },
        RapErrorKind.RpcRunTimeError => new RapRunTimeException(statusCode, RapStatusCodes.PythonClassName(kind), message) { Kind = kind },
        RapErrorKind.CryptoError => new RapCryptoException(statusCode, message) { Kind = kind },
        RapErrorKind.ChannelError or RapErrorKind.ChannelLifecycleError => new RapChannelException(statusCode, RapStatusCodes.PythonClassName(kind), message) { Kind = kind },
        RapErrorKind.TooManyRequest => new RapTooManyRequestsException(statusCode, message) { Kind = kind },
        _ => new RapRemoteException(statusCode, RapStatusCodes.PythonClassName(kind), message) { Kind = kind },
    };

    /// <summary>Builds the exception for a function that raised (HEAD 301 / v0.5.3.8 <c>exc</c>).</summary>
    public static RapRemoteException FromInvokeError(long statusCode, string exceptionName, string message)
    {
        // rap's own classes can also come back by name (e.g. RpcRunTimeError for a run timeout, §2.8).
        foreach (var kind in Enum.GetValues<RapErrorKind>())
        {
            if (RapStatusCodes.PythonClassName(kind) == exceptionName)
            {
                return FromStatus(statusCode, kind, message);
            }
        }

        return new RapInvokeException(statusCode, exceptionName, message);
    }
}
