using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Errors;

namespace OrleansRpc.Server;

/// <summary>
/// The answer of one dispatched call. On <see cref="RapCallOutcome.Success"/> the encoded result is in the output
/// buffer the caller passed; on a failure that buffer may hold partial bytes and must be discarded.
/// </summary>
public readonly struct RapCallResult : IEquatable<RapCallResult>
{
    private RapCallResult(RapCallOutcome outcome, RapErrorKind errorKind, string? exceptionName, string? message)
    {
        Outcome = outcome;
        ErrorKind = errorKind;
        ExceptionName = exceptionName;
        Message = message;
    }

    public static RapCallResult Success => default;

    public RapCallOutcome Outcome { get; }

    public bool IsSuccess => Outcome == RapCallOutcome.Success;

    /// <summary>For <see cref="RapCallOutcome.StatusError"/>: which rap error.</summary>
    public RapErrorKind ErrorKind { get; }

    /// <summary>For <see cref="RapCallOutcome.FunctionError"/>: the Python exception class name (e.g. <c>ValueError</c>).</summary>
    public string? ExceptionName { get; }

    /// <summary>The exact error text (status body, or the exception message).</summary>
    public string? Message { get; }

    public static RapCallResult Status(RapErrorKind kind, string message) => new(RapCallOutcome.StatusError, kind, null, message);

    public static RapCallResult FunctionError(string exceptionName, string message) => new(RapCallOutcome.FunctionError, default, exceptionName, message);

    /// <summary>The header <c>status_code</c> to send: 200 for success and (0.5.3.8) function errors, 301 for HEAD function errors.</summary>
    public int StatusCode(RapVersion version) => Outcome switch
    {
        RapCallOutcome.Success => RapStatusCodes.Ok,
        RapCallOutcome.FunctionError => version == RapVersion.Head ? RapStatusCodes.HeadInvokeError : RapStatusCodes.Ok,
        _ => RapStatusCodes.ToWire(ErrorKind, version),
    };

    public bool Equals(RapCallResult other)
        => Outcome == other.Outcome && ErrorKind == other.ErrorKind && ExceptionName == other.ExceptionName && Message == other.Message;

    public override bool Equals(object? obj) => obj is RapCallResult other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Outcome, ErrorKind, ExceptionName, Message);

    public override string ToString() => Outcome switch
    {
        RapCallOutcome.Success => "Success",
        RapCallOutcome.StatusError => $"{ErrorKind}: {Message}",
        _ => $"{ExceptionName}: {Message}",
    };

    public static bool operator ==(RapCallResult left, RapCallResult right) => left.Equals(right);

    public static bool operator !=(RapCallResult left, RapCallResult right) => !left.Equals(right);
}
