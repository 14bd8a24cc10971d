using System.Buffers;
using System.Collections;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Serialization;

/// <summary>
/// <see cref="object"/>: writes by the value's runtime type; reads into natural .NET values (nil → null, int → long
/// (ulong above its range), float → double, str → string, bin → byte[], array → object?[], map → Dictionary&lt;string, object?&gt;).
/// </summary>
internal sealed class RapObjectConverter : RapConverter<object?>
{
    public override void Write(ref MessagePackWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNil();
                return;
            case string text:
                writer.Write(text);
                return;
            case int number:
                writer.Write(number);
                return;
            case long number:
                writer.Write(number);
                return;
            case double number:
                writer.Write(number);
                return;
            case bool flag:
                writer.Write(flag);
                return;
            case byte[] bytes:
                writer.Write(bytes.AsSpan());
                return;
            case MessagePackValue any:
                any.Write(ref writer);
                return;
        }

        var type = value.GetType();
        if (type == typeof(object))
        {
            writer.WriteMapHeader(0);
            return;
        }

        RapSerializer.GetObjectConverter(type).WriteObject(ref writer, value);
    }

    public override object? Read(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return null;
            case MessagePackType.Boolean:
                return reader.ReadBoolean();
            case MessagePackType.Integer:
                if (reader.NextCode == MessagePackCode.UInt64)
                {
                    var unsigned = reader.ReadUInt64();
                    return unsigned <= long.MaxValue ? (long)unsigned : unsigned;
                }

                return reader.ReadInt64();
            case MessagePackType.Float:
                return reader.ReadDouble();
            case MessagePackType.String:
                return reader.ReadString();
            case MessagePackType.Binary:
                return reader.ReadBytes()?.ToArray();
            case MessagePackType.Array:
            {
                var count = reader.ReadArrayHeader();
                var items = new object?[count];
                for (var i = 0; i < count; i++)
                {
                    items[i] = Read(ref reader);
                }

                return items;
            }

            case MessagePackType.Map:
            {
                var count = reader.ReadMapHeader();
                var map = new Dictionary<string, object?>(count, StringComparer.Ordinal);
                for (var i = 0; i < count; i++)
                {
                    var key = ReadKey(ref reader);
                    map[key] = Read(ref reader);
                }

                return map;
            }

            default:
                return MessagePackValue.Read(ref reader);
        }
    }

    /// <summary>Reads a map key; non-str keys (never sent by rap) are turned into their text.</summary>
    internal static string ReadKey(ref MessagePackReader reader) =>
        reader.NextMessagePackType == MessagePackType.String
            ? reader.ReadString()!
            : MessagePackValue.Read(ref reader).ToString();

    /// <summary>Writes untyped collections that have no generic converter.</summary>
    internal static void WriteUntyped(ref MessagePackWriter writer, object value)
    {
        var inner = RapSerializer.GetConverter<object?>();
        if (value is IDictionary dictionary)
        {
            writer.WriteMapHeader(dictionary.Count);
            foreach (DictionaryEntry entry in dictionary)
            {
                writer.Write(Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture));
                inner.Write(ref writer, entry.Value);
            }

            return;
        }

        var items = new List<object?>();
        foreach (var item in (IEnumerable)value)
        {
            items.Add(item);
        }

        writer.WriteArrayHeader(items.Count);
        foreach (var item in items)
        {
            inner.Write(ref writer, item);
        }
    }
}
