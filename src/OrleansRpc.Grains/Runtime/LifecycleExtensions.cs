namespace OrleansRpc.Grains.Runtime;

/// <summary>Delegate-based subscription helpers.</summary>
public static class LifecycleExtensions
{
    public static IDisposable Subscribe(
        this ISiloLifecycle lifecycle,
        string observerName,
        int stage,
        Func<CancellationToken, Task> onStart,
        Func<CancellationToken, Task>? onStop = null)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        return lifecycle.Subscribe(observerName, stage, new DelegateObserver(onStart, onStop));
    }

    private sealed class DelegateObserver(Func<CancellationToken, Task> onStart, Func<CancellationToken, Task>? onStop) : ILifecycleObserver
    {
        public Task OnStart(CancellationToken cancellationToken = default) => onStart(cancellationToken);

        public Task OnStop(CancellationToken cancellationToken = default) => onStop?.Invoke(cancellationToken) ?? Task.CompletedTask;
    }
}
