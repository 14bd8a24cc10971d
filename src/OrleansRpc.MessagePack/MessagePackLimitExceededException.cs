namespace OrleansRpc.MessagePack;

/// <summary>A limit of <see cref="MessagePackReaderOptions"/> was exceeded by the input.</summary>
public sealed class MessagePackLimitExceededException : MessagePackSerializationException
{
    public MessagePackLimitExceededException()
        : this("Unknown", 0, 0)
    {
    }

    public MessagePackLimitExceededException(string message)
        : base(message)
    {
        Limit = "Unknown";
    }

    public MessagePackLimitExceededException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Limit = "Unknown";
    }

    public MessagePackLimitExceededException(string limit, long limitValue, long actualValue)
        : base($"MessagePack limit {limit} exceeded: {actualValue} > {limitValue}.")
    {
        Limit = limit;
        LimitValue = limitValue;
        ActualValue = actualValue;
    }

    /// <summary>The name of the option, e.g. <c>MaxDepth</c> or <c>MaxFrameBytes</c>.</summary>
    public string Limit { get; }

    /// <summary>The configured limit.</summary>
    public long LimitValue { get; }

    /// <summary>What the input declared or reached (at least the first value seen above the limit).</summary>
    public long ActualValue { get; }
}
