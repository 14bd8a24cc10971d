using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

/// <summary>
/// <see cref="List{T}"/> and the interfaces it implements (<see cref="IList{T}"/>, <see cref="IReadOnlyList{T}"/>,
/// <see cref="IEnumerable{T}"/>, …): read as a <see cref="List{T}"/>, written from any enumerable.
/// </summary>
internal sealed class ListFormatter<TCollection, T>(RapFormatter<T> element) : RapFormatter<TCollection>
    where TCollection : class, IEnumerable<T>
{
    public override string PythonTypeName => "list";

    public override bool Accepts(MessagePackType type, bool strict) => type == MessagePackType.Array;

    public override TCollection Read(ref MessagePackReader reader)
    {
        var count = reader.ReadArrayHeader();
        var result = new List<T>(count);
        for (var i = 0; i < count; i++)
        {
            result.Add(element.Read(ref reader));
        }

        return (TCollection)(object)result;
    }

    public override void Write(ref MessagePackWriter writer, TCollection value)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        if (value is IReadOnlyList<T> list)
        {
            writer.WriteArrayHeader(list.Count);
            for (var i = 0; i < list.Count; i++)
            {
                element.Write(ref writer, list[i]);
            }

            return;
        }

        IEnumerable<T> items = value.TryGetNonEnumeratedCount(out _) ? value : value.ToList();
        items.TryGetNonEnumeratedCount(out var count);
        writer.WriteArrayHeader(count);
        foreach (var item in items)
        {
            element.Write(ref writer, item);
        }
    }
}
