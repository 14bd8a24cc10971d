namespace OrleansRpc.Grains.Runtime;

/// <summary>An <c>IAsyncEnumerable</c> grain call lost its enumerator (the activation went away).</summary>
public class EnumerationAbortedException : OrleansException
{
    public EnumerationAbortedException()
        : base("The remote enumeration was aborted.")
    {
    }

    public EnumerationAbortedException(string message)
        : base(message)
    {
    }

    public EnumerationAbortedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
