using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

internal sealed class ArrayFormatter<T>(RapFormatter<T> element) : RapFormatter<T[]>
{
    public override string PythonTypeName => "list";

    public override bool Accepts(MessagePackType type, bool strict) => type == MessagePackType.Array;

    public override T[] Read(ref MessagePackReader reader)
    {
        var count = reader.ReadArrayHeader();
        var result = count == 0 ? [] : new T[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = element.Read(ref reader);
        }

        return result;
    }

    public override void Write(ref MessagePackWriter writer, T[] value)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteArrayHeader(value.Length);
        foreach (var item in value)
        {
            element.Write(ref writer, item);
        }
    }
}
