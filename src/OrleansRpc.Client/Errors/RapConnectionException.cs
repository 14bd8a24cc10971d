namespace OrleansRpc.Client;

/// <summary>
/// The connection carrying a call failed: it could not be opened, it was lost, or the server closed it with a
/// <c>CLOSE</c> event (<see cref="CloseReason"/> then holds the server's reason).
/// </summary>
public class RapConnectionException : Exception
{
    public RapConnectionException()
    {
    }

    public RapConnectionException(string message)
        : base(message)
    {
    }

    public RapConnectionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The reason of the server's CLOSE event, if that is what ended the connection.</summary>
    public string? CloseReason { get; init; }
}
