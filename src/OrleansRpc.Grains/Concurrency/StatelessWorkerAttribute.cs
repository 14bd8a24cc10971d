namespace OrleansRpc.Grains.Concurrency;

/// <summary>
/// A pool of local, non-reentrant activations per key, up to <see cref="MaxLocalWorkers"/> (default: processor count).
/// A call goes to the first idle worker in creation order, else to a new worker under the cap, else to the
/// worker with the shortest queue. Idle workers are removed over time.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class StatelessWorkerAttribute : Attribute
{
    public StatelessWorkerAttribute()
        : this(-1)
    {
    }

    public StatelessWorkerAttribute(int maxLocalWorkers)
        : this(maxLocalWorkers, removeIdleWorkers: true)
    {
    }

    public StatelessWorkerAttribute(int maxLocalWorkers, bool removeIdleWorkers)
    {
        MaxLocalWorkers = maxLocalWorkers;
        RemoveIdleWorkers = removeIdleWorkers;
    }

    /// <summary>The cap; -1 means <see cref="Environment.ProcessorCount"/>.</summary>
    public int MaxLocalWorkers { get; }

    public bool RemoveIdleWorkers { get; }
}
