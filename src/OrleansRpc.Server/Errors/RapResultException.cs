namespace OrleansRpc.Server;

/// <summary>A result could not be encoded for a Python client (e.g. a map with non-str keys).</summary>
public sealed class RapResultException : Exception
{
    public RapResultException()
    {
    }

    public RapResultException(string message)
        : base(message)
    {
    }

    public RapResultException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
