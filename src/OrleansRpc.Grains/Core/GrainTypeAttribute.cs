namespace OrleansRpc.Grains;

/// <summary>Sets the grain type name used in <see cref="Runtime.GrainId"/> instead of the class-name convention.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class GrainTypeAttribute(string grainType) : Attribute
{
    public string GrainType { get; } = grainType;
}
