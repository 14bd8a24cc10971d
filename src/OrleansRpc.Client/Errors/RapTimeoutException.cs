namespace OrleansRpc.Client;

/// <summary>The call did not get its answer within its timeout; a late answer is dropped.</summary>
public sealed class RapTimeoutException : TimeoutException
{
    public RapTimeoutException()
    {
    }

    public RapTimeoutException(string message)
        : base(message)
    {
    }

    public RapTimeoutException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
