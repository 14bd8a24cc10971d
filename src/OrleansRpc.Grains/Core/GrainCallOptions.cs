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

    /// <summary>
    /// Lets an idle activation run the call's turn right away on the calling thread (up to the grain method's
    /// first pending await) instead of hopping to the thread pool; a call that completes synchronously then
    /// costs well under a microsecond. Only honoured outside grain turns. Leave it off where the callee may
    /// block (synchronous user code) and the calling thread must stay free, e.g. a connection's read loop.
    /// </summary>
    public bool AllowInlineExecution { get; init; }
}
