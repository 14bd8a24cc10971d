using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

/// <summary>Reads and writes one C# type as msgpack without boxing; the binder calls these from compiled invokers.</summary>
/// <typeparam name="T">The C# type.</typeparam>
public abstract class RapFormatter<T> : IRapFormatter
{
    public Type Type => typeof(T);

    public abstract string PythonTypeName { get; }

    public abstract bool Accepts(MessagePackType type, bool strict);

    public abstract T Read(ref MessagePackReader reader);

    public abstract void Write(ref MessagePackWriter writer, T value);

    object? IRapFormatter.ReadBoxed(ref MessagePackReader reader) => Read(ref reader);

    void IRapFormatter.WriteBoxed(ref MessagePackWriter writer, object? value) => Write(ref writer, (T)value!);
}
