using OrleansRpc.Protocol.Errors;

namespace OrleansRpc.Server;

/// <summary>Arguments did not bind; carries the exact answer rap gives (status error or a <c>TypeError</c>).</summary>
internal sealed class RapBindingException : Exception
{
    public RapBindingException(RapCallResult result)
        : base(result.Message)
    {
        Result = result;
    }

    public RapBindingException()
    {
    }

    public RapBindingException(string message)
        : base(message)
    {
    }

    public RapBindingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RapCallResult Result { get; }

    public static RapBindingException Parse(string detail) => new(RapCallResult.Status(RapErrorKind.ParseError, "Parse error. " + detail));

    public static RapBindingException RunTime() => new(RapCallResult.Status(RapErrorKind.RpcRunTimeError, RapErrorMessages.RpcRunTimeError));

    public static RapBindingException TypeError(string message) => new(RapCallResult.FunctionError("TypeError", message));
}
