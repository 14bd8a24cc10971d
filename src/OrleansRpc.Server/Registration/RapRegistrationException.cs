namespace OrleansRpc.Server;

/// <summary>A function could not be registered (duplicate, unsupported signature, bad name).</summary>
public sealed class RapRegistrationException : Exception
{
    public RapRegistrationException()
    {
    }

    public RapRegistrationException(string message)
        : base(message)
    {
    }

    public RapRegistrationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
