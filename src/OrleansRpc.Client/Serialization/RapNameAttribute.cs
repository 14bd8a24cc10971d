namespace OrleansRpc.Client.Serialization;

/// <summary>Names a property's map key on the wire (default: the property name as written).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class RapNameAttribute(string name) : Attribute
{
    /// <summary>The wire name.</summary>
    public string Name { get; } = name;
}
