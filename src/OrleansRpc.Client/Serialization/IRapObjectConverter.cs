using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Serialization;

/// <summary>The untyped face of a <see cref="RapConverter{T}"/>, used where only the runtime type is known.</summary>
public interface IRapObjectConverter
{
    /// <summary>Writes a boxed value of the converter's type.</summary>
    void WriteObject(ref MessagePackWriter writer, object? value);

    /// <summary>Reads a value and boxes it.</summary>
    object? ReadObject(ref MessagePackReader reader);
}
