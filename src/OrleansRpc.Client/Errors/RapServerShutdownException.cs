namespace OrleansRpc.Client;

/// <summary>The server announced a shutdown and the call could not finish within its drain time.</summary>
public sealed class RapServerShutdownException : RapConnectionException
{
    public RapServerShutdownException()
    {
    }

    public RapServerShutdownException(string message)
        : base(message)
    {
    }

    public RapServerShutdownException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
