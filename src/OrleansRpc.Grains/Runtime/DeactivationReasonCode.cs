namespace OrleansRpc.Grains.Runtime;

/// <summary>Why an activation is deactivated (Orleans' codes, the subset this runtime produces).</summary>
public enum DeactivationReasonCode : byte
{
    None,
    ShuttingDown,
    ActivationFailed,
    ApplicationRequested,
    ActivationIdle,
    ActivationUnresponsive,
    ApplicationError,
}
