using System.Reflection;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains;

/// <summary>A grain call as seen by a call filter.</summary>
public interface IGrainCallContext
{
    /// <summary>The request: method and arguments.</summary>
    IInvokable Request { get; }

    /// <summary>The grain instance being called.</summary>
    object Grain { get; }

    /// <summary>The caller's grain, when the call was made from inside a grain turn.</summary>
    GrainId? SourceId { get; }

    /// <summary>The called grain.</summary>
    GrainId TargetId { get; }

    string InterfaceName { get; }

    string MethodName { get; }

    MethodInfo InterfaceMethod { get; }

    /// <summary>
    /// The result. Set by the grain method once <see cref="Invoke"/> returns; a filter may replace it, or set it
    /// without calling <see cref="Invoke"/> to short-circuit the call.
    /// </summary>
    object? Result { get; set; }

    /// <summary>Cancelled when the caller gives up (response timeout or caller cancellation).</summary>
    CancellationToken CancellationToken { get; }

    /// <summary>Runs the next filter, or the grain method after the last one.</summary>
    Task Invoke();
}
