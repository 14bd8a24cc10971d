namespace OrleansRpc.Grains.Runtime;

/// <summary>
/// A request was rejected because the target activation's queue is full
/// (<c>SiloMessagingOptions.MaxEnqueuedRequestsHardLimit</c>): Orleans' "Overloaded" rejection.
/// </summary>
public class LimitExceededException : OrleansException
{
    public LimitExceededException()
    {
    }

    public LimitExceededException(string message)
        : base(message)
    {
    }

    public LimitExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public LimitExceededException(string limitName, int current, int threshold, object extraInfo)
        : base($"Limit exceeded {limitName} Current={current} Threshold={threshold} {extraInfo}")
    {
        LimitName = limitName;
        Current = current;
        Threshold = threshold;
    }

    public string? LimitName { get; }

    public int Current { get; }

    public int Threshold { get; }
}
