namespace OrleansRpc.Grains.Concurrency;

/// <summary>Lets any request interleave with a request suspended at an await. Turns still never run in parallel.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ReentrantAttribute : Attribute
{
}
