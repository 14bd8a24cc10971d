namespace OrleansRpc.Grains;

/// <summary>Per-call settings for the low-level <see cref="GrainReference"/> invoke API.</summary>
public readonly struct GrainCallOptions
{
    /// <summary>Overrides the method's and the silo's response timeout for this call.</summary>
    public TimeSpan? ResponseTimeout { get; init; }

    /// <summary>
    /// The caller's cancellation: cancels the callee's token and completes the call with
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    public CancellationToken CancellationToken { get; init; }
}
