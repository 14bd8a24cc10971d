namespace OrleansRpc.Client;

/// <summary>The remote function raised; PythonExceptionName is the class (ValueError, ZeroDivisionError, a user class, ...).</summary>
public sealed class RapInvokeException : RapRemoteException
{
    public RapInvokeException()
        : this(0, "InvokeError", string.Empty)
    {
    }

    public RapInvokeException(string message)
        : this(0, "InvokeError", message)
    {
    }

    public RapInvokeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RapInvokeException(long statusCode, string pythonExceptionName, string remoteMessage)
        : base(statusCode, pythonExceptionName, remoteMessage)
    {
    }
}
