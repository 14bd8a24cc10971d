using OrleansRpc.Grains.Messaging;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Catalog;

/// <summary>
/// The local workers of one [StatelessWorker] grain id (Orleans' StatelessWorkerGrainContext): each worker is an
/// ordinary non-reentrant activation.
/// </summary>
internal sealed class StatelessWorkerPool
{
    private readonly Lock _lock = new();
    private readonly List<ActivationData> _workers = [];
    private readonly GrainRuntime _runtime;
    private int _idleCycles;

    public StatelessWorkerPool(GrainRuntime runtime, GrainClassInfo classInfo, GrainId grainId)
    {
        _runtime = runtime;
        ClassInfo = classInfo;
        GrainId = grainId;
        MaxLocalWorkers = runtime.GetMaxLocalWorkers(classInfo);
    }

    /// <summary>The cap for this pool: the options' class-specific value, else the attribute's.</summary>
    public int MaxLocalWorkers { get; }

    public GrainClassInfo ClassInfo { get; }

    public GrainId GrainId { get; }

    /// <summary>
    /// The first inactive worker in creation order; else a new worker while under MaxLocalWorkers; else the
    /// worker with the fewest waiting requests.
    /// </summary>
    public bool Dispatch(GrainRequest request)
    {
        lock (_lock)
        {
            while (true)
            {
                ActivationData? target = null;
                ActivationData? leastBusy = null;
                var usable = 0;
                foreach (var worker in _workers)
                {
                    if (!worker.IsUsable)
                    {
                        continue;
                    }

                    usable++;
                    if (worker.IsInactive)
                    {
                        target = worker;
                        break;
                    }

                    if (leastBusy is null || worker.WaitingCount < leastBusy.WaitingCount)
                    {
                        leastBusy = worker;
                    }
                }

                if (target is null && usable < MaxLocalWorkers && !_runtime.IsStopping)
                {
                    target = new ActivationData(_runtime, ClassInfo, GrainId, this);
                    _workers.Add(target);
                }

                target ??= leastBusy;
                if (target is null)
                {
                    request.TryCompleteCaller(new SiloUnavailableException("The silo is shutting down."));
                    return true;
                }

                if (target.Enqueue(request))
                {
                    return true;
                }

                _workers.Remove(target);
            }
        }
    }

    public void Remove(ActivationData worker)
    {
        lock (_lock)
        {
            _workers.Remove(worker);
        }
    }

    public void CopyWorkersTo(List<ActivationData> destination)
    {
        lock (_lock)
        {
            destination.AddRange(_workers);
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _workers.Count;
            }
        }
    }

    /// <summary>
    /// One inspection: after <paramref name="minIdleCycles"/> inspections in a row that found idle workers, one
    /// random idle worker is removed (Orleans uses a PID controller on the same inputs; this is its simplest form).
    /// </summary>
    public void InspectIdleWorkers(int minIdleCycles)
    {
        ActivationData? victim = null;
        lock (_lock)
        {
            var idle = _workers.FindAll(w => w.IsInactive && w.State == ActivationState.Valid);
            if (idle.Count == 0)
            {
                _idleCycles = 0;
                return;
            }

            if (++_idleCycles >= minIdleCycles)
            {
                victim = idle[Random.Shared.Next(idle.Count)];
            }
        }

        _ = victim?.StartDeactivation(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "Idle stateless worker removed."));
    }
}
