namespace OrleansRpc.Hosting;

/// <summary>Where the host is in its life, as readiness sees it.</summary>
public enum ReadinessState
{
    /// <summary>The silo and the gateway are still starting: not ready.</summary>
    Starting,

    /// <summary>Everything started: ready for clients.</summary>
    Ready,

    /// <summary>The host is stopping (SIGTERM): not ready; the gateway drains its connections.</summary>
    Draining,

    /// <summary>Everything stopped.</summary>
    Stopped,
}
