using Microsoft.Extensions.Logging;
using OrleansRpc.Grains.Diagnostics;

namespace OrleansRpc.Grains.Runtime;

/// <summary>
/// Runs life-cycle observers by stage: ascending on start (a stage's observers together, stages one after the
/// other), descending on stop, only for stages that started.
/// </summary>
internal sealed class SiloLifecycleSubject(ILogger<SiloLifecycleSubject> logger) : ISiloLifecycle
{
    private readonly Lock _lock = new();
    private readonly List<Subscription> _subscriptions = [];
    private int _highestStarted = int.MinValue;
    private bool _started;

    public IDisposable Subscribe(string observerName, int stage, ILifecycleObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var subscription = new Subscription(this, observerName, stage, observer);
        lock (_lock)
        {
            _subscriptions.Add(subscription);
        }

        return subscription;
    }

    public async Task OnStart(CancellationToken cancellationToken)
    {
        _started = true;
        foreach (var stage in Snapshot().GroupBy(s => s.Stage).OrderBy(g => g.Key))
        {
            GrainsLog.LifecycleStage(logger, "Starting", stage.Key);
            await Task.WhenAll(stage.Select(s => s.Observer.OnStart(cancellationToken))).ConfigureAwait(false);
            _highestStarted = stage.Key;
        }
    }

    public async Task OnStop(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            return;
        }

        foreach (var stage in Snapshot().Where(s => s.Stage <= _highestStarted).GroupBy(s => s.Stage).OrderByDescending(g => g.Key))
        {
            GrainsLog.LifecycleStage(logger, "Stopping", stage.Key);
            try
            {
                await Task.WhenAll(stage.Select(s => s.Observer.OnStop(cancellationToken))).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Later stages must still stop.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                GrainsLog.LifecycleStopFailed(logger, stage.Key, ex);
            }
        }
    }

    private List<Subscription> Snapshot()
    {
        lock (_lock)
        {
            return [.. _subscriptions];
        }
    }

    private void Remove(Subscription subscription)
    {
        lock (_lock)
        {
            _subscriptions.Remove(subscription);
        }
    }

    private sealed class Subscription(SiloLifecycleSubject owner, string name, int stage, ILifecycleObserver observer) : IDisposable
    {
        public string Name { get; } = name;

        public int Stage { get; } = stage;

        public ILifecycleObserver Observer { get; } = observer;

        public void Dispose() => owner.Remove(this);
    }
}
