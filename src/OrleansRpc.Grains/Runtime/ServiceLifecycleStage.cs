namespace OrleansRpc.Grains.Runtime;

/// <summary>Silo life-cycle stages, Orleans' numbers. Start runs them ascending, stop descending.</summary>
public static class ServiceLifecycleStage
{
    public const int First = int.MinValue;
    public const int RuntimeInitialize = 2000;
    public const int RuntimeServices = 4000;
    public const int RuntimeGrainServices = 8000;
    public const int ApplicationServices = 10000;
    public const int BecomeActive = 19999;
    /// <summary>On stop: every activation is deactivated here, before the runtime stops taking calls.</summary>
    public const int GrainDeactivation = 19998;
    public const int Active = 20000;
    public const int Last = int.MaxValue;
}
