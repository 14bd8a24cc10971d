namespace OrleansRpc.Grains.Concurrency;

/// <summary>This interface method may interleave with any other request, and never blocks others.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AlwaysInterleaveAttribute : Attribute
{
}
