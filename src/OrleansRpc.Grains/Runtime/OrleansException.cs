namespace OrleansRpc.Grains.Runtime;

/// <summary>Base type for errors the grain runtime itself raises.</summary>
public class OrleansException : Exception
{
    public OrleansException()
    {
    }

    public OrleansException(string message)
        : base(message)
    {
    }

    public OrleansException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
