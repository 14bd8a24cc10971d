namespace OrleansRpc.Client;

/// <summary>Maps a proxy method to a remote function (the C# counterpart of rap's <c>@client.register</c>).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RapFunctionAttribute : Attribute
{
    public RapFunctionAttribute()
    {
    }

    public RapFunctionAttribute(string name) => Name = name;

    /// <summary>Remote function name; default: the method name as written (what our server registers by default).</summary>
    public string? Name { get; init; }

    /// <summary>Remote group; default: the interface's <see cref="RapServiceAttribute.Group"/> or <c>"default"</c>.</summary>
    public string? Group { get; init; }
}
