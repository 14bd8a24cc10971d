namespace OrleansRpc.Grains.Runtime;

/// <summary>The silo's ordered life cycle (<see cref="ServiceLifecycleStage"/>).</summary>
public interface ISiloLifecycle
{
    /// <summary>Adds an observer at a stage; dispose the result to remove it.</summary>
    IDisposable Subscribe(string observerName, int stage, ILifecycleObserver observer);
}
