namespace OrleansRpc.Gateway.Connections;

/// <summary>An outgoing frame is above <see cref="RapGatewayOptions.MaxFrameBytes"/>; the Python peer could not decode it.</summary>
public sealed class RapFrameTooLargeException : Exception
{
    public RapFrameTooLargeException()
    {
    }

    public RapFrameTooLargeException(string message)
        : base(message)
    {
    }

    public RapFrameTooLargeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public RapFrameTooLargeException(long size, long limit)
        : base($"A frame of {size} bytes is above the limit of {limit} bytes.")
    {
        Size = size;
        Limit = limit;
    }

    /// <summary>Encoded size of the refused frame.</summary>
    public long Size { get; }

    /// <summary>The configured maximum.</summary>
    public long Limit { get; }
}
