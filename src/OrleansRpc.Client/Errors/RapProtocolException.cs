namespace OrleansRpc.Client;

/// <summary>The server sent something this client cannot interpret (wrong frame layout, bad answer type).</summary>
public sealed class RapProtocolException : Exception
{
    public RapProtocolException()
    {
    }

    public RapProtocolException(string message)
        : base(message)
    {
    }

    public RapProtocolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
