namespace OrleansRpc.Grains.Runtime;

/// <summary>A DI service that subscribes to a life cycle when the silo starts.</summary>
public interface ILifecycleParticipant<in TLifecycleObservable>
{
    void Participate(TLifecycleObservable lifecycle);
}
