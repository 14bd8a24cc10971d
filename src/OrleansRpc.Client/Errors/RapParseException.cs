namespace OrleansRpc.Client;

/// <summary>The server could not bind the arguments: ParseError.</summary>
public sealed class RapParseException : RapRemoteException
{
    public RapParseException()
        : this(0, string.Empty)
    {
    }

    public RapParseException(string message)
        : this(0, message)
    {
    }

    public RapParseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RapParseException(long statusCode, string remoteMessage)
        : base(statusCode, "ParseError", remoteMessage)
    {
    }
}
