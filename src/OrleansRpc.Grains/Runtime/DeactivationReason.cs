namespace OrleansRpc.Grains.Runtime;

/// <summary>A deactivation reason: a code, a description and, for failures, the exception.</summary>
public readonly struct DeactivationReason
{
    public DeactivationReason(DeactivationReasonCode code, string text)
        : this(code, null, text)
    {
    }

    public DeactivationReason(DeactivationReasonCode code, Exception? exception, string text)
    {
        ReasonCode = code;
        Exception = exception;
        Description = text;
    }

    public DeactivationReasonCode ReasonCode { get; }

    public string Description { get; }

    public Exception? Exception { get; }

    public override string ToString() =>
        Exception is null ? $"{ReasonCode}: {Description}" : $"{ReasonCode}: {Description} Exception: {Exception}";
}
