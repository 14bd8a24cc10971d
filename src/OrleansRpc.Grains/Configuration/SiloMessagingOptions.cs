namespace OrleansRpc.Grains.Configuration;

/// <summary>Grain call settings.</summary>
public sealed class SiloMessagingOptions
{
    public static readonly TimeSpan DEFAULT_RESPONSE_TIMEOUT = TimeSpan.FromSeconds(30);
    public const int DEFAULT_MAX_ENQUEUED_REQUESTS_HARD_LIMIT = 10_000;
    public static readonly TimeSpan DEFAULT_RESPONSE_TIMEOUT_CHECK_PERIOD = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long a caller waits before it gets <see cref="TimeoutException"/>. Default 30 s. Overridden per method by
    /// <c>[ResponseTimeout]</c> and per call by <c>GrainCallOptions.ResponseTimeout</c>.
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = DEFAULT_RESPONSE_TIMEOUT;

    /// <summary>
    /// Whether a timed-out request's <see cref="CancellationToken"/> is cancelled in the callee. Default <c>true</c>
    /// here (Orleans defaults to false): a rap run timeout should stop the work it abandons.
    /// </summary>
    public bool CancelRequestOnTimeout { get; set; } = true;

    /// <summary>
    /// Requests queued per activation beyond which new ones are rejected with <c>LimitExceededException</c>.
    /// Default 10,000 (Orleans: 0 = unlimited; 0 means unlimited here too).
    /// </summary>
    public int MaxEnqueuedRequestsHardLimit { get; set; } = DEFAULT_MAX_ENQUEUED_REQUESTS_HARD_LIMIT;

    /// <summary>
    /// The granularity of response timeouts: expired calls are found by one periodic sweep rather than one timer
    /// per call. Default 100 ms.
    /// </summary>
    public TimeSpan ResponseTimeoutCheckPeriod { get; set; } = DEFAULT_RESPONSE_TIMEOUT_CHECK_PERIOD;
}
