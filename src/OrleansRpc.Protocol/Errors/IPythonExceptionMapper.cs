namespace OrleansRpc.Protocol.Errors;

/// <summary>Maps a .NET exception thrown by a function to the Python exception a rap client re-raises.</summary>
public interface IPythonExceptionMapper
{
    /// <summary>The Python class name and message for <paramref name="exception"/>.</summary>
    PythonException Map(Exception exception);
}
