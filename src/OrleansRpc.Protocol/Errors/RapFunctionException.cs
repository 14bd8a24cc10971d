namespace OrleansRpc.Protocol.Errors;

/// <summary>
/// An exception a function can throw to choose the Python class name directly, e.g.
/// <c>throw new RapFunctionException("ValueError", "boom")</c>.
/// </summary>
public class RapFunctionException : Exception
{
    public RapFunctionException()
        : this("RuntimeError", "error")
    {
    }

    public RapFunctionException(string message)
        : this("RuntimeError", message)
    {
    }

    public RapFunctionException(string message, Exception? innerException)
        : base(message, innerException) => PythonName = "RuntimeError";

    public RapFunctionException(string pythonName, string message)
        : base(message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pythonName);
        PythonName = pythonName;
    }

    /// <summary>The Python class the client raises.</summary>
    public string PythonName { get; }
}
