using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

/// <summary>The untyped view of a <see cref="RapFormatter{T}"/>; used off the hot path (POCO members, registry).</summary>
public interface IRapFormatter
{
    /// <summary>The C# type this formatter reads and writes.</summary>
    Type Type { get; }

    /// <summary>The Python class name rap 0.5.3.8 prints in "type must: &lt;class '…'&gt;".</summary>
    string PythonTypeName { get; }

    /// <summary>Whether a value whose msgpack type is <paramref name="type"/> binds to this formatter.</summary>
    /// <param name="type">The next value's msgpack type.</param>
    /// <param name="strict">0.5.3.8's exact type check (an int is not a float).</param>
    bool Accepts(MessagePackType type, bool strict);

    object? ReadBoxed(ref MessagePackReader reader);

    void WriteBoxed(ref MessagePackWriter writer, object? value);
}
