using System.Diagnostics;
using OrleansRpc.Grains.Messaging;

namespace OrleansRpc.Grains.Diagnostics;

/// <summary>The runtime's telemetry names.</summary>
public static class GrainsDiagnostics
{
    /// <summary>The Meter and ActivitySource name.</summary>
    public const string Name = "OrleansRpc.Grains";

    /// <summary>One span per grain call, created only while someone listens.</summary>
    public static ActivitySource ActivitySource { get; } = new(Name);

    internal static Activity? StartCallActivity(GrainRequest request)
    {
        // Created as the caller's child, but not left as the caller's Activity.Current: the call is asynchronous.
        var previous = Activity.Current;
        var activity = ActivitySource.StartActivity(request.Method.ToString(), ActivityKind.Internal);
        Activity.Current = previous;
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("rpc.system", "orleansrpc");
            activity.SetTag("rpc.service", request.Method.InterfaceName);
            activity.SetTag("rpc.method", request.Method.MethodName);
            activity.SetTag("orleansrpc.grain_id", request.Target.GrainId.ToString());
        }

        return activity;
    }
}
