namespace OrleansRpc.Hosting;

/// <summary>
/// Health check tags the endpoints select on: add your own checks with these tags
/// (<c>services.AddHealthChecks().AddCheck&lt;T&gt;("name", tags: [OrleansRpcHealthTags.Ready])</c>)
/// and they join the probe.
/// </summary>
public static class OrleansRpcHealthTags
{
    /// <summary>Checks reported by the liveness path.</summary>
    public const string Live = "live";

    /// <summary>Checks reported by the readiness path.</summary>
    public const string Ready = "ready";
}
