using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

internal sealed class NullableFormatter<T>(RapFormatter<T> inner) : RapFormatter<T?>
    where T : struct
{
    public override string PythonTypeName => inner.PythonTypeName;

    public override bool Accepts(MessagePackType type, bool strict) => type == MessagePackType.Nil || inner.Accepts(type, strict);

    public override T? Read(ref MessagePackReader reader) => reader.TryReadNil() ? null : inner.Read(ref reader);

    public override void Write(ref MessagePackWriter writer, T? value)
    {
        if (value.HasValue)
        {
            inner.Write(ref writer, value.GetValueOrDefault());
        }
        else
        {
            writer.WriteNil();
        }
    }
}
