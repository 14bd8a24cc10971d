using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

/// <summary>A reference type annotated nullable (<c>string?</c>): nil binds to <see langword="null"/>.</summary>
internal sealed class NullableReferenceFormatter<T>(RapFormatter<T> inner) : RapFormatter<T?>
    where T : class
{
    public override string PythonTypeName => inner.PythonTypeName;

    public override bool Accepts(MessagePackType type, bool strict) => type == MessagePackType.Nil || inner.Accepts(type, strict);

    public override T? Read(ref MessagePackReader reader) => reader.TryReadNil() ? null : inner.Read(ref reader);

    public override void Write(ref MessagePackWriter writer, T? value)
    {
        if (value is null)
        {
            writer.WriteNil();
        }
        else
        {
            inner.Write(ref writer, value);
        }
    }
}
