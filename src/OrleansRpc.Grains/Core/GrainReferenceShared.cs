using OrleansRpc.Grains.Catalog;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains;

/// <summary>What every reference to one (interface, grain class) pair shares: the runtime and the class metadata.</summary>
public sealed class GrainReferenceShared
{
    internal GrainReferenceShared(GrainRuntime runtime, Type interfaceType, GrainClassInfo classInfo)
    {
        Runtime = runtime;
        InterfaceType = interfaceType;
        ClassInfo = classInfo;
    }

    /// <summary>The grain interface the references implement.</summary>
    public Type InterfaceType { get; }

    /// <summary>The grain type (from the implementation class).</summary>
    public GrainType GrainType => ClassInfo.GrainType;

    internal GrainRuntime Runtime { get; }

    internal GrainClassInfo ClassInfo { get; }
}
