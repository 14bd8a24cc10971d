using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Serialization;

/// <summary>
/// Converts one .NET type to and from msgpack. Converters are created once per type (see <see cref="RapSerializer"/>)
/// so the call path does no reflection.
/// </summary>
public abstract class RapConverter<T> : IRapObjectConverter
{
    /// <summary>Writes <paramref name="value"/>.</summary>
    public abstract void Write(ref MessagePackWriter writer, T value);

    /// <summary>Reads one value.</summary>
    public abstract T Read(ref MessagePackReader reader);

    void IRapObjectConverter.WriteObject(ref MessagePackWriter writer, object? value) => Write(ref writer, (T)value!);

    object? IRapObjectConverter.ReadObject(ref MessagePackReader reader) => Read(ref reader);
}
