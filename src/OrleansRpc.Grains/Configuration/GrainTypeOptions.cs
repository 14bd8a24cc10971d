namespace OrleansRpc.Grains.Configuration;

/// <summary>The grain classes the silo hosts (filled by <c>AddGrain&lt;T&gt;()</c>).</summary>
public sealed class GrainTypeOptions
{
    public HashSet<Type> Classes { get; } = [];
}
