using Orleans;
using OrleansRpc.Protocol.Errors;

namespace OrleansRpc.Server;

/// <summary>
/// The answer of one call as it crosses back from the grain: the result kind, the encoded result (success) or the
/// error (rap status or Python exception name and text). Immutable, so a silo-local answer is not copied.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansrpc.reply")]
public sealed class RapReply
{
    private static readonly byte[] s_nil = [0xc0];

    // One-byte results (nil, booleans, small ints: most of rap's answers) are shared, immutable replies.
    private static readonly RapReply?[] s_oneByte = new RapReply?[256];

    /// <summary>A successful call whose function returned nothing (msgpack nil).</summary>
    public static RapReply Nil { get; } = new() { Outcome = RapCallOutcome.Success, Result = s_nil };

    [Id(0)]
    public RapCallOutcome Outcome { get; init; }

    /// <summary>The msgpack encoding of the result (success only).</summary>
    [Id(1)]
    public byte[]? Result { get; init; }

    [Id(2)]
    public RapErrorKind ErrorKind { get; init; }

    [Id(3)]
    public string? ExceptionName { get; init; }

    [Id(4)]
    public string? Message { get; init; }

    /// <summary>The outcome without the result bytes.</summary>
    public RapCallResult ToResult() => Outcome switch
    {
        RapCallOutcome.Success => RapCallResult.Success,
        RapCallOutcome.StatusError => RapCallResult.Status(ErrorKind, Message ?? string.Empty),
        _ => RapCallResult.FunctionError(ExceptionName ?? "Exception", Message ?? string.Empty),
    };

    /// <summary>A failed outcome as a reply.</summary>
    public static RapReply Failure(in RapCallResult result) => new()
    {
        Outcome = result.Outcome,
        ErrorKind = result.ErrorKind,
        ExceptionName = result.ExceptionName,
        Message = result.Message,
    };

    /// <summary>A successful call's encoded result.</summary>
    public static RapReply Success(ReadOnlySpan<byte> result)
    {
        if (result.Length == 1)
        {
            return s_oneByte[result[0]] ??= new() { Outcome = RapCallOutcome.Success, Result = [result[0]] };
        }

        return new() { Outcome = RapCallOutcome.Success, Result = result.ToArray() };
    }
}
