namespace OrleansRpc.Client;

/// <summary>The call ran out of time on the server (RpcRunTimeError).</summary>
public sealed class RapRunTimeException : RapRemoteException
{
    public RapRunTimeException()
        : this(0, "RpcRunTimeError", string.Empty)
    {
    }

    public RapRunTimeException(string message)
        : this(0, "RpcRunTimeError", message)
    {
    }

    public RapRunTimeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RapRunTimeException(long statusCode, string pythonExceptionName, string remoteMessage)
        : base(statusCode, pythonExceptionName, remoteMessage)
    {
    }
}
