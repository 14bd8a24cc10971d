namespace OrleansRpc.Client;

/// <summary>The channel is closed (by the server's DROP, by this side, or because its connection ended).</summary>
public sealed class RapChannelClosedException : InvalidOperationException
{
    public RapChannelClosedException()
        : base("The channel is closed.")
    {
    }

    public RapChannelClosedException(string message)
        : base(message)
    {
    }

    public RapChannelClosedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
