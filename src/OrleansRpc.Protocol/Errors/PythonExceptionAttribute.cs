namespace OrleansRpc.Protocol.Errors;

/// <summary>
/// Names the Python exception class a rap client should raise when a function throws this exception type,
/// e.g. <c>[PythonException("ConformanceError")]</c>. Applies to derived types too unless they carry their own.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class PythonExceptionAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    public PythonExceptionAttribute(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The Python class name.</summary>
    public string Name { get; }
}
