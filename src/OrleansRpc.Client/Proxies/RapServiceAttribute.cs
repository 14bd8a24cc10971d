namespace OrleansRpc.Client;

/// <summary>Marks a proxy interface and sets the default group of its functions.</summary>
[AttributeUsage(AttributeTargets.Interface, AllowMultiple = false)]
public sealed class RapServiceAttribute : Attribute
{
    public RapServiceAttribute()
    {
    }

    public RapServiceAttribute(string group) => Group = group;

    /// <summary>Group of every function of the interface (default <c>"default"</c>).</summary>
    public string? Group { get; init; }
}
