using OrleansRpc.Protocol.Errors;

namespace OrleansRpc.Server;

/// <summary>
/// A rap client read an Orleans stream more slowly than it was published and fell further behind than its buffer
/// allows: it is dropped from the stream (its generator ends with this error) instead of being buffered without limit.
/// </summary>
[PythonException("BufferError")]
public sealed class RapStreamOverflowException : Exception
{
    public RapStreamOverflowException()
        : base("the client fell too far behind the stream")
    {
    }

    public RapStreamOverflowException(string message)
        : base(message)
    {
    }

    public RapStreamOverflowException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
