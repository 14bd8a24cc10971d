namespace OrleansRpc.Client;

/// <summary>The server refused the call for load reasons: TooManyRequest.</summary>
public sealed class RapTooManyRequestsException : RapRemoteException
{
    public RapTooManyRequestsException()
        : this(0, string.Empty)
    {
    }

    public RapTooManyRequestsException(string message)
        : this(0, message)
    {
    }

    public RapTooManyRequestsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RapTooManyRequestsException(long statusCode, string remoteMessage)
        : base(statusCode, "TooManyRequest", remoteMessage)
    {
    }
}
