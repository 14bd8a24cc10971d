namespace OrleansRpc.Grains.Runtime;

/// <summary>Takes part in one stage of a life cycle.</summary>
public interface ILifecycleObserver
{
    Task OnStart(CancellationToken cancellationToken = default);

    Task OnStop(CancellationToken cancellationToken = default);
}
