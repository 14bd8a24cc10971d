namespace OrleansRpc.Server;

/// <summary>Where a synchronous (def-style) unary function runs (see <see cref="RapServerOptions.SynchronousExecution"/>).</summary>
public enum RapSynchronousExecution
{
    /// <summary>
    /// Inline while the function proves cheap: it starts on the thread pool, moves inline after a run of calls each
    /// shorter than <see cref="RapServerOptions.InlineSynchronousThreshold"/>, and back to the thread pool as soon as
    /// one inline call takes longer (promotion then needs twice as many fast calls as before).
    /// </summary>
    Adaptive = 0,

    /// <summary>Always a thread-pool work item, raced against the run timeout: never runs on the caller's thread.</summary>
    ThreadPool = 1,

    /// <summary>Always inline in the grain turn (on the caller's thread when the worker is idle): for functions known to be cheap.</summary>
    Inline = 2,
}
