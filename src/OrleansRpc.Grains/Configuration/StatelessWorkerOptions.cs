namespace OrleansRpc.Grains.Configuration;

/// <summary>Idle worker removal for <c>[StatelessWorker]</c> pools.</summary>
public sealed class StatelessWorkerOptions
{
    public static readonly TimeSpan DEFAULT_IDLE_WORKERS_INSPECTION_PERIOD = TimeSpan.FromMilliseconds(500);
    public const int DEFAULT_MIN_IDLE_CYCLES_BEFORE_REMOVAL = 1;

    /// <summary>How often pools are inspected. Default 500 ms.</summary>
    public TimeSpan IdleWorkersInspectionPeriod { get; set; } = DEFAULT_IDLE_WORKERS_INSPECTION_PERIOD;

    /// <summary>
    /// Inspections in a row that must find a pool with idle workers before one idle worker is removed. Default 1.
    /// </summary>
    public int MinIdleCyclesBeforeRemoval { get; set; } = DEFAULT_MIN_IDLE_CYCLES_BEFORE_REMOVAL;

    /// <summary>Whether idle workers are removed at all (a pool whose attribute says removeIdleWorkers: false never is). Default true.</summary>
    public bool RemoveIdleWorkers { get; set; } = true;

    /// <summary>
    /// Per grain class (full type name) worker caps, overriding the class's <c>[StatelessWorker(maxLocalWorkers)]</c>
    /// (which is fixed at compile time), so a host can size a pool from its configuration. Read when a pool is created.
    /// </summary>
    public Dictionary<string, int> ClassSpecificMaxLocalWorkers { get; } = new(StringComparer.Ordinal);
}
