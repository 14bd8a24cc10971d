namespace OrleansRpc.Server;

/// <summary>
/// Marks a class whose public methods form one rap group (rap's namespace).
/// Register it with <c>AddFunctionGroup&lt;T&gt;()</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RapGroupAttribute : Attribute
{
    public RapGroupAttribute(string name = RapFunctionRegistry.DefaultGroup) => Name = name;

    /// <summary>The group name (case-sensitive, no '/').</summary>
    public string Name { get; }
}
