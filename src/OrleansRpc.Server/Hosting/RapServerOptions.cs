namespace OrleansRpc.Server;

/// <summary>Function-side settings of the rap server.</summary>
public sealed class RapServerOptions
{
    /// <summary>
    /// The service key of a <see cref="TimeProvider"/> that only the rap server uses (run timeouts, deadlines, adaptive
    /// inlining); without one it uses the host's. Tests register a fake clock under it, leaving Orleans' clock real.
    /// </summary>
    public const string TimeProviderKey = "OrleansRpc.Server";

    /// <summary>rap's <c>run_timeout</c>: a call still running after this is answered <c>RpcRunTimeError "Call &lt;func&gt; timeout"</c> and cancelled. Default 9 s.</summary>
    public TimeSpan RunTimeout { get; set; } = TimeSpan.FromSeconds(9);

    /// <summary>
    /// The most generator chunks (items that were ready together, see <see cref="GeneratorBatchSize"/>) one pull of the
    /// gateway takes from the generator grain (Orleans' <c>WithBatchSize</c>). The generator runs only while a pull is
    /// outstanding, so a client that stops reading stops it. Default 16.
    /// </summary>
    public int GeneratorBufferCapacity { get; set; } = 16;

    /// <summary>The most generator items that were ready together travelling as one batch (1: no batching). Default 256.</summary>
    public int GeneratorBatchSize { get; set; } = 256;

    /// <summary>A generator batch is closed once its encoded items reach this many bytes. Default 16 KiB.</summary>
    public int GeneratorBatchBytes { get; set; } = 16 * 1024;

    /// <summary>Messages buffered per channel direction before the sender waits. Default 64.</summary>
    public int ChannelBufferCapacity { get; set; } = 64;

    /// <summary>A session unused for this long is collected. Default 10 minutes.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Register the built-in private <c>registry</c> group (<c>list</c>, <c>load</c>, <c>reload</c>). Default true.</summary>
    public bool AddRegistryFunctions { get; set; } = true;

    /// <summary>
    /// Make the call context available as <see cref="RapCallContext.Current"/>. Async functions get it through an
    /// <see cref="AsyncLocal{T}"/> (about 72 bytes per call); synchronous functions on the thread that runs them (no
    /// allocation; tasks they start do not see it). Functions that take <see cref="RapCallContext"/> as a parameter get
    /// it either way. Default true.
    /// </summary>
    public bool FlowCallContext { get; set; } = true;

    /// <summary>
    /// Where synchronous (def-style) functions run: <see cref="RapSynchronousExecution.Adaptive"/> (default) inline while
    /// they stay below <see cref="InlineSynchronousThreshold"/>, <see cref="RapSynchronousExecution.ThreadPool"/> always
    /// on a pool work item, <see cref="RapSynchronousExecution.Inline"/> always inline. A function's
    /// <see cref="RapFunctionAttribute.SynchronousExecution"/> overrides it.
    /// </summary>
    public RapSynchronousExecution SynchronousExecution { get; set; } = RapSynchronousExecution.Adaptive;

    /// <summary>
    /// Adaptive execution: a synchronous function whose call runs longer than this (binding and encoding included) leaves
    /// the inline path for the thread pool. Default 200 µs.
    /// </summary>
    public TimeSpan InlineSynchronousThreshold { get; set; } = TimeSpan.FromMicroseconds(200);

    /// <summary>
    /// The most <see cref="FunctionGroupGrain"/> workers per group and silo (Orleans' stateless-worker cap), i.e.
    /// synchronous (def-style) calls of one group running at once — rap's thread-pool size. Async calls interleave and
    /// are not capped. Default: processor count.
    /// </summary>
    public int MaxLocalWorkers { get; set; } = Environment.ProcessorCount;

    internal void Validate()
    {
        if (RunTimeout <= TimeSpan.Zero && RunTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(RunTimeout), RunTimeout, "RunTimeout must be positive (or infinite).");
        }

        if (GeneratorBufferCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(GeneratorBufferCapacity), GeneratorBufferCapacity, "must be at least 1");
        }

        if (GeneratorBatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(GeneratorBatchSize), GeneratorBatchSize, "must be at least 1");
        }

        if (GeneratorBatchBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(GeneratorBatchBytes), GeneratorBatchBytes, "must be at least 1");
        }

        if (MaxLocalWorkers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxLocalWorkers), MaxLocalWorkers, "must be at least 1");
        }

        if (!Enum.IsDefined(SynchronousExecution))
        {
            throw new ArgumentOutOfRangeException(nameof(SynchronousExecution), SynchronousExecution, "must be Adaptive, ThreadPool or Inline");
        }

        if (InlineSynchronousThreshold <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(InlineSynchronousThreshold), InlineSynchronousThreshold, "must be positive");
        }

        if (ChannelBufferCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ChannelBufferCapacity), ChannelBufferCapacity, "must be at least 1");
        }
    }
}
