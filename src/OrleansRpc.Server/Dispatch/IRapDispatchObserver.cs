namespace OrleansRpc.Server;

/// <summary>
/// Told when the dispatcher opens a channel or starts an async generator (telemetry: open gauges, spans, logs). Unary
/// calls are observed with grain call filters instead. Implementations run on the gateway's path: fast, never throwing.
/// </summary>
public interface IRapDispatchObserver
{
    /// <summary>A channel was opened; the returned scope (if any) is disposed when the channel has ended.</summary>
    IDisposable? ChannelOpened(RapFunctionDescriptor function, RapCallContext context);

    /// <summary>A generator started; the returned scope (if any) is disposed when its stream is disposed (its end).</summary>
    IDisposable? GeneratorStarted(RapFunctionDescriptor function, RapCallContext context);
}
