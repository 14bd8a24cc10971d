namespace OrleansRpc.Client;

/// <summary>A channel or generator failed on the server side (ChannelError / ChannelLifecycleError).</summary>
public sealed class RapChannelException : RapRemoteException
{
    public RapChannelException()
        : this(0, "ChannelError", string.Empty)
    {
    }

    public RapChannelException(string message)
        : this(0, "ChannelError", message)
    {
    }

    public RapChannelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RapChannelException(long statusCode, string pythonExceptionName, string remoteMessage)
        : base(statusCode, pythonExceptionName, remoteMessage)
    {
    }
}
