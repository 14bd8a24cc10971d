namespace OrleansRpc.Server;

/// <summary>Optional per-method settings for a method of a <see cref="RapGroupAttribute"/> class.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class RapFunctionAttribute : Attribute
{
    /// <summary>The rap name; defaults to the method name.</summary>
    public string? Name { get; set; }

    /// <summary>Private functions are only callable from a local peer.</summary>
    public bool IsPrivate { get; set; }

    /// <summary>Free text shown by <c>registry/list</c>.</summary>
    public string? Doc { get; set; }

    /// <summary>Further names the same function is registered under (rap's alias).</summary>
    public string[]? Aliases { get; set; }
}
