namespace OrleansRpc.Grains.Runtime;

/// <summary>The silo is not running (not started yet, or shutting down) and cannot take the call.</summary>
public class SiloUnavailableException : OrleansException
{
    public SiloUnavailableException()
        : base("The silo is not available.")
    {
    }

    public SiloUnavailableException(string message)
        : base(message)
    {
    }

    public SiloUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
