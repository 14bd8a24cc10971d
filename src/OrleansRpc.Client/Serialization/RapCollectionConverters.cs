using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Serialization;

/// <summary>Converters for arrays, lists, dictionaries, nullable values and enums.</summary>
internal static class RapCollectionConverters
{
    public sealed class Array<T> : RapConverter<T[]?>
    {
        private readonly RapConverter<T> _item = RapSerializer.GetConverter<T>();

        public override void Write(ref MessagePackWriter writer, T[]? value)
        {
            if (value is null)
            {
                writer.WriteNil();
                return;
            }

            writer.WriteArrayHeader(value.Length);
            foreach (var item in value)
            {
                _item.Write(ref writer, item);
            }
        }

        public override T[]? Read(ref MessagePackReader reader)
        {
            if (reader.TryReadNil())
            {
                return null;
            }

            var count = reader.ReadArrayHeader();
            var result = new T[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = _item.Read(ref reader);
            }

            return result;
        }
    }

    /// <summary>Any list-like type: written from an <see cref="IEnumerable{T}"/>, read into a <see cref="List{T}"/> (or <typeparamref name="TCollection"/> when it is a concrete list).</summary>
    public sealed class Enumerable<TCollection, T> : RapConverter<TCollection?>
        where TCollection : IEnumerable<T>
    {
        private readonly RapConverter<T> _item = RapSerializer.GetConverter<T>();
        private readonly Func<List<T>, TCollection> _create;

        public Enumerable(Func<List<T>, TCollection> create) => _create = create;

        public override void Write(ref MessagePackWriter writer, TCollection? value)
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
                    _item.Write(ref writer, list[i]);
                }

                return;
            }

            var items = value.ToList();
            writer.WriteArrayHeader(items.Count);
            foreach (var item in items)
            {
                _item.Write(ref writer, item);
            }
        }

        public override TCollection? Read(ref MessagePackReader reader)
        {
            if (reader.TryReadNil())
            {
                return default;
            }

            var count = reader.ReadArrayHeader();
            var result = new List<T>(count);
            for (var i = 0; i < count; i++)
            {
                result.Add(_item.Read(ref reader));
            }

            return _create(result);
        }
    }

    /// <summary>String-keyed dictionaries (the only map keys a Python peer accepts, §1.4).</summary>
    public sealed class Dictionary<TDictionary, TValue> : RapConverter<TDictionary?>
        where TDictionary : IEnumerable<KeyValuePair<string, TValue>>
    {
        private readonly RapConverter<TValue> _value = RapSerializer.GetConverter<TValue>();
        private readonly Func<System.Collections.Generic.Dictionary<string, TValue>, TDictionary> _create;

        public Dictionary(Func<System.Collections.Generic.Dictionary<string, TValue>, TDictionary> create) => _create = create;

        public override void Write(ref MessagePackWriter writer, TDictionary? value)
        {
            if (value is null)
            {
                writer.WriteNil();
                return;
            }

            var count = value is IReadOnlyCollection<KeyValuePair<string, TValue>> collection ? collection.Count : value.Count();
            writer.WriteMapHeader(count);
            foreach (var entry in value)
            {
                writer.Write(entry.Key);
                _value.Write(ref writer, entry.Value);
            }
        }

        public override TDictionary? Read(ref MessagePackReader reader)
        {
            if (reader.TryReadNil())
            {
                return default;
            }

            var count = reader.ReadMapHeader();
            var result = new System.Collections.Generic.Dictionary<string, TValue>(count, StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                var key = RapObjectConverter.ReadKey(ref reader);
                result[key] = _value.Read(ref reader);
            }

            return _create(result);
        }
    }

    public sealed class Nullable<T> : RapConverter<T?>
        where T : struct
    {
        private readonly RapConverter<T> _inner = RapSerializer.GetConverter<T>();

        public override void Write(ref MessagePackWriter writer, T? value)
        {
            if (value.HasValue)
            {
                _inner.Write(ref writer, value.Value);
            }
            else
            {
                writer.WriteNil();
            }
        }

        public override T? Read(ref MessagePackReader reader) => reader.TryReadNil() ? null : _inner.Read(ref reader);
    }

    /// <summary>Enums travel as their underlying integer.</summary>
    public sealed class Enum<T> : RapConverter<T>
        where T : struct, System.Enum
    {
        public override void Write(ref MessagePackWriter writer, T value) => writer.Write(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));

        public override T Read(ref MessagePackReader reader)
        {
            if (reader.NextMessagePackType == MessagePackType.String)
            {
                return System.Enum.Parse<T>(reader.ReadString()!, ignoreCase: true);
            }

            return (T)System.Enum.ToObject(typeof(T), reader.ReadInt64());
        }
    }
}
