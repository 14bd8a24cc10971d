namespace OrleansRpc.Server;

/// <summary>A read or write on a channel that has ended.</summary>
public sealed class RapChannelClosedException : OperationCanceledException
{
    public RapChannelClosedException()
        : base("channel is closed")
    {
    }

    public RapChannelClosedException(string message)
        : base(message)
    {
    }

    public RapChannelClosedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
