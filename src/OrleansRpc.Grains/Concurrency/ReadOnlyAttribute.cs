namespace OrleansRpc.Grains.Concurrency;

/// <summary>This interface method does not change state: it may interleave with other read-only requests.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReadOnlyAttribute : Attribute
{
}
