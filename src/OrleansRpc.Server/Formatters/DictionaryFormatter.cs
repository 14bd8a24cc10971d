using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

/// <summary>
/// <see cref="Dictionary{TKey, TValue}"/> with string keys and the interfaces it implements. Only string keys are
/// supported: a Python client cannot decode anything else.
/// </summary>
internal sealed class DictionaryFormatter<TDictionary, TValue>(RapFormatter<TValue> value) : RapFormatter<TDictionary>
    where TDictionary : class, IEnumerable<KeyValuePair<string, TValue>>
{
    public override string PythonTypeName => "dict";

    public override bool Accepts(MessagePackType type, bool strict) => type == MessagePackType.Map;

    public override TDictionary Read(ref MessagePackReader reader)
    {
        var count = reader.ReadMapHeader();
        var result = new Dictionary<string, TValue>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            if (reader.NextMessagePackType != MessagePackType.String)
            {
                throw new MessagePackSerializationException("map keys must be str");
            }

            var key = reader.ReadString()!;
            result[key] = value.Read(ref reader);
        }

        return (TDictionary)(object)result;
    }

    public override void Write(ref MessagePackWriter writer, TDictionary dictionary)
    {
        if (dictionary is null)
        {
            writer.WriteNil();
            return;
        }

        IEnumerable<KeyValuePair<string, TValue>> entries = dictionary.TryGetNonEnumeratedCount(out _) ? dictionary : dictionary.ToList();
        entries.TryGetNonEnumeratedCount(out var count);
        writer.WriteMapHeader(count);
        foreach (var entry in entries)
        {
            writer.Write(entry.Key);
            value.Write(ref writer, entry.Value);
        }
    }
}
