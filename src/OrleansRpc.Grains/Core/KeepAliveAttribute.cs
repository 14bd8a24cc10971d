namespace OrleansRpc.Grains;

/// <summary>Exempts the grain class from idle collection.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class KeepAliveAttribute : Attribute
{
}
