namespace OrleansRpc.Server;

/// <summary>Function-side settings of the rap server.</summary>
public sealed class RapServerOptions
{
    /// <summary>rap's <c>run_timeout</c>: a call still running after this is answered <c>RpcRunTimeError "Call &lt;func&gt; timeout"</c> and cancelled. Default 9 s.</summary>
    public TimeSpan RunTimeout { get; set; } = TimeSpan.FromSeconds(9);

    /// <summary>Encoded generator items buffered ahead of the client. Default 16.</summary>
    public int GeneratorBufferCapacity { get; set; } = 16;

    /// <summary>Messages buffered per channel direction before the sender waits. Default 64.</summary>
    public int ChannelBufferCapacity { get; set; } = 64;

    /// <summary>A session unused for this long is collected. Default 10 minutes.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Register the built-in private <c>registry</c> group (<c>list</c>, <c>load</c>, <c>reload</c>). Default true.</summary>
    public bool AddRegistryFunctions { get; set; } = true;

    /// <summary>
    /// Make the call context available as <see cref="RapCallContext.Current"/> (an <see cref="AsyncLocal{T}"/>: 72 bytes
    /// per call). Functions that take <see cref="RapCallContext"/> as a parameter get it either way. Default true.
    /// </summary>
    public bool FlowCallContext { get; set; } = true;

    /// <summary>
    /// Run unary calls inside <see cref="IFunctionGroupGrain"/> stateless-worker activations (one grain per group) and
    /// sessions as <see cref="ISessionGrain"/> activations: the production path, default true (<c>AddRapServer</c>
    /// adds the grain runtime). False runs calls directly on the dispatcher (benchmarks of the binding alone).
    /// </summary>
    public bool UseFunctionGroupGrains { get; set; } = true;

    /// <summary>
    /// The most <see cref="FunctionGroupGrain"/> workers per group, i.e. synchronous (def-style) calls of one group
    /// running at once — rap's thread-pool size. Async calls interleave and are not capped. Default: processor count.
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

        if (MaxLocalWorkers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxLocalWorkers), MaxLocalWorkers, "must be at least 1");
        }

        if (ChannelBufferCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ChannelBufferCapacity), ChannelBufferCapacity, "must be at least 1");
        }
    }
}
