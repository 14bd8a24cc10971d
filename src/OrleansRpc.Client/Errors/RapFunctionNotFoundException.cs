namespace OrleansRpc.Client;

/// <summary>The function does not exist (or may not be called from here): FuncNotFoundError.</summary>
public sealed class RapFunctionNotFoundException : RapRemoteException
{
    public RapFunctionNotFoundException()
        : this(0, string.Empty)
    {
    }

    public RapFunctionNotFoundException(string message)
        : this(0, message)
    {
    }

    public RapFunctionNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RapFunctionNotFoundException(long statusCode, string remoteMessage)
        : base(statusCode, "FuncNotFoundError", remoteMessage)
    {
    }
}
