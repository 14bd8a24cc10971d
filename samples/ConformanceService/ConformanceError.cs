namespace ConformanceService;

/// <summary>The user-defined exception class of the conformance service; it reaches the client as <c>ConformanceError</c>.</summary>
public sealed class ConformanceError : Exception
{
    public ConformanceError()
    {
    }

    public ConformanceError(string message)
        : base(message)
    {
    }

    public ConformanceError(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
