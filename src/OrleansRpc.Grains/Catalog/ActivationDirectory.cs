using System.Collections.Concurrent;
using OrleansRpc.Grains.Messaging;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Catalog;

/// <summary>The local activations by grain id: one <see cref="ActivationData"/> per grain, or a worker pool.</summary>
internal sealed class ActivationDirectory
{
    private readonly ConcurrentDictionary<GrainId, object> _entries = new();
    private readonly GrainRuntime _runtime;

    public ActivationDirectory(GrainRuntime runtime) => _runtime = runtime;

    public int Count => _entries.Count;

    /// <summary>Routes a request to its activation, creating one (or a worker) if needed.</summary>
    public void Dispatch(GrainRequest request)
    {
        var grainId = request.Target.GrainId;
        var classInfo = request.Target.Shared.ClassInfo;
        while (true)
        {
            if (!_entries.TryGetValue(grainId, out var entry))
            {
                if (_runtime.IsStopping)
                {
                    request.TryCompleteCaller(new SiloUnavailableException("The silo is shutting down: no new activations."));
                    return;
                }

                entry = _entries.GetOrAdd(
                    grainId,
                    static (id, state) => state.ClassInfo.IsStatelessWorker
                        ? new StatelessWorkerPool(state.Runtime, state.ClassInfo, id)
                        : new ActivationData(state.Runtime, state.ClassInfo, id, null),
                    (Runtime: _runtime, ClassInfo: classInfo));
            }

            var accepted = entry is StatelessWorkerPool pool ? pool.Dispatch(request) : ((ActivationData)entry).Enqueue(request);
            if (accepted)
            {
                if (request.InlineStartPending)
                {
                    request.InlineStartPending = false;
                    request.Activation!.Scheduler.Post(GrainRequest.RunCallback, request, allowInline: true);
                }

                return;
            }

            // A stale (deactivated) entry: drop it and route again.
            _entries.TryRemove(new KeyValuePair<GrainId, object>(grainId, entry));
        }
    }

    public void Remove(ActivationData activation)
    {
        if (activation.Pool is { } pool)
        {
            pool.Remove(activation);
        }
        else
        {
            _entries.TryRemove(new KeyValuePair<GrainId, object>(activation.GrainId, activation));
        }
    }

    /// <summary>Every activation, stateless workers included.</summary>
    public List<ActivationData> GetActivations()
    {
        var result = new List<ActivationData>(_entries.Count);
        foreach (var entry in _entries)
        {
            if (entry.Value is StatelessWorkerPool pool)
            {
                pool.CopyWorkersTo(result);
            }
            else
            {
                result.Add((ActivationData)entry.Value);
            }
        }

        return result;
    }

    public List<StatelessWorkerPool> GetPools()
    {
        var result = new List<StatelessWorkerPool>();
        foreach (var entry in _entries)
        {
            if (entry.Value is StatelessWorkerPool pool)
            {
                result.Add(pool);
            }
        }

        return result;
    }
}
