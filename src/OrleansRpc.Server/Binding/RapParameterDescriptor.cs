namespace OrleansRpc.Server;

/// <summary>One parameter of a registered function.</summary>
public sealed class RapParameterDescriptor
{
    internal RapParameterDescriptor(string name, Type type, RapParameterSource source, bool hasDefault, object? defaultValue, int position)
    {
        Name = name;
        ParameterType = type;
        Source = source;
        HasDefault = hasDefault;
        DefaultValue = defaultValue;
        Position = position;
    }

    public string Name { get; }

    public Type ParameterType { get; }

    public RapParameterSource Source { get; }

    /// <summary>Optional: 0.5.3.8 sends it in <c>default_param</c>, HEAD may leave it out.</summary>
    public bool HasDefault { get; }

    public object? DefaultValue { get; }

    /// <summary>Position in the C# signature.</summary>
    public int Position { get; }
}
