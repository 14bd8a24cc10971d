using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Serialization;

/// <summary>
/// Converts .NET values to and from msgpack: integers, floats, bool, string, byte[], arrays/lists, str-keyed
/// dictionaries, records/POCOs (as maps), enums, <see cref="MessagePackValue"/> ("any") and <see cref="object"/>.
/// Converters are built once per type.
/// </summary>
public static class RapSerializer
{
    private static readonly ConcurrentDictionary<Type, IRapObjectConverter> s_converters = new();
    private static readonly ConcurrentDictionary<Type, RapConverterFactory> s_custom = new();

    /// <summary>Creates a custom converter for types that need it.</summary>
    public delegate IRapObjectConverter RapConverterFactory();

    /// <summary>Registers a converter for <typeparamref name="T"/>; must be called before the type is first used.</summary>
    public static void Register<T>(RapConverter<T> converter)
    {
        ArgumentNullException.ThrowIfNull(converter);
        s_custom[typeof(T)] = () => converter;
        s_converters[typeof(T)] = converter;
    }

    /// <summary>The converter for <typeparamref name="T"/>.</summary>
    public static RapConverter<T> GetConverter<T>() => Cache<T>.Instance;

    /// <summary>The converter for a runtime type.</summary>
    public static IRapObjectConverter GetObjectConverter(Type type) => s_converters.GetOrAdd(type, static t => Create(t));

    /// <summary>Writes <paramref name="value"/> as msgpack into <paramref name="output"/>.</summary>
    public static void Serialize<T>(IBufferWriter<byte> output, T value)
    {
        var writer = new MessagePackWriter(output);
        GetConverter<T>().Write(ref writer, value);
        writer.Flush();
    }

    /// <summary>Encodes <paramref name="value"/> to a new array.</summary>
    public static byte[] Serialize<T>(T value)
    {
        var output = new ArrayBufferWriter<byte>();
        Serialize(output, value);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Reads one value of type <typeparamref name="T"/>.</summary>
    public static T Deserialize<T>(in ReadOnlySequence<byte> msgpack, MessagePackReaderOptions? options = null)
    {
        var reader = new MessagePackReader(msgpack, options ?? MessagePackReaderOptions.Default);
        return Read<T>(ref reader);
    }

    /// <summary>Reads one value of type <typeparamref name="T"/>.</summary>
    public static T Deserialize<T>(ReadOnlyMemory<byte> msgpack) => Deserialize<T>(new ReadOnlySequence<byte>(msgpack));

    /// <summary>Reads one value, wrapping type mismatches in <see cref="RapSerializationException"/>.</summary>
    public static T Read<T>(ref MessagePackReader reader)
    {
        try
        {
            return GetConverter<T>().Read(ref reader);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OverflowException or FormatException or InvalidCastException or MessagePackSerializationException or ArgumentException or EndOfStreamException)
        {
            throw new RapSerializationException($"Cannot read the value as {typeof(T)}: {ex.Message}", ex);
        }
    }

    internal static Lazy<IRapObjectConverter> GetObjectConverterLazy(Type type) => new(() => GetObjectConverter(type));

    private static IRapObjectConverter Create(Type type)
    {
        if (s_custom.TryGetValue(type, out var custom))
        {
            return custom();
        }

        if (type == typeof(object))
        {
            return new RapObjectConverter();
        }

        var scalar = CreateScalar(type);
        if (scalar is not null)
        {
            return scalar;
        }

        if (type.IsEnum)
        {
            return Instantiate(typeof(RapCollectionConverters.Enum<>).MakeGenericType(type));
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Instantiate(typeof(RapCollectionConverters.Nullable<>).MakeGenericType(underlying));
        }

        if (type.IsArray && type.GetArrayRank() == 1)
        {
            return Instantiate(typeof(RapCollectionConverters.Array<>).MakeGenericType(type.GetElementType()!));
        }

        if (FindDictionaryValueType(type) is { } valueType)
        {
            var concrete = typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType);
            if (!type.IsAssignableFrom(concrete) && !(type.IsClass && !type.IsAbstract && type.GetConstructor(Type.EmptyTypes) is not null))
            {
                throw new RapSerializationException($"Cannot create dictionary type {type}.");
            }

            var factory = typeof(RapSerializer).GetMethod(nameof(CreateDictionary), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(type, valueType);
            return (IRapObjectConverter)factory.Invoke(null, null)!;
        }

        if (type != typeof(string) && FindEnumerableItemType(type) is { } itemType)
        {
            var factory = typeof(RapSerializer).GetMethod(nameof(CreateEnumerable), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(type, itemType);
            return (IRapObjectConverter)factory.Invoke(null, null)!;
        }

        if (typeof(IEnumerable).IsAssignableFrom(type))
        {
            return Instantiate(typeof(UntypedConverter<>).MakeGenericType(type));
        }

        return Instantiate(typeof(RapMapObjectConverter<>).MakeGenericType(type));
    }

    private static IRapObjectConverter? CreateScalar(Type type) => type switch
    {
        _ when type == typeof(bool) => new RapPrimitiveConverters.Boolean(),
        _ when type == typeof(sbyte) => new RapPrimitiveConverters.SByte(),
        _ when type == typeof(byte) => new RapPrimitiveConverters.Byte(),
        _ when type == typeof(short) => new RapPrimitiveConverters.Int16(),
        _ when type == typeof(ushort) => new RapPrimitiveConverters.UInt16(),
        _ when type == typeof(int) => new RapPrimitiveConverters.Int32(),
        _ when type == typeof(uint) => new RapPrimitiveConverters.UInt32(),
        _ when type == typeof(long) => new RapPrimitiveConverters.Int64(),
        _ when type == typeof(ulong) => new RapPrimitiveConverters.UInt64(),
        _ when type == typeof(float) => new RapPrimitiveConverters.Single(),
        _ when type == typeof(double) => new RapPrimitiveConverters.Double(),
        _ when type == typeof(decimal) => new RapPrimitiveConverters.Decimal(),
        _ when type == typeof(string) => new RapPrimitiveConverters.String(),
        _ when type == typeof(byte[]) => new RapPrimitiveConverters.Bytes(),
        _ when type == typeof(ReadOnlyMemory<byte>) => new RapPrimitiveConverters.Memory(),
        _ when type == typeof(MessagePackValue) => new RapPrimitiveConverters.Value(),
        _ when type == typeof(Guid) => new RapPrimitiveConverters.Guid(),
        _ => null,
    };

    private static IRapObjectConverter Instantiate(Type converterType) => (IRapObjectConverter)Activator.CreateInstance(converterType)!;

    private static IRapObjectConverter CreateEnumerable<TCollection, T>()
        where TCollection : IEnumerable<T>
    {
        Func<List<T>, TCollection> create;
        if (typeof(TCollection).IsAssignableFrom(typeof(List<T>)))
        {
            create = static list => (TCollection)(object)list;
        }
        else if (typeof(TCollection).IsAssignableFrom(typeof(ReadOnlyCollection<T>)))
        {
            create = static list => (TCollection)(object)list.AsReadOnly();
        }
        else if (typeof(TCollection).IsAssignableFrom(typeof(HashSet<T>)))
        {
            create = static list => (TCollection)(object)new HashSet<T>(list);
        }
        else
        {
            create = static list => (TCollection)Activator.CreateInstance(typeof(TCollection), list)!;
        }

        return new RapCollectionConverters.Enumerable<TCollection, T>(create);
    }

    private static IRapObjectConverter CreateDictionary<TDictionary, TValue>()
        where TDictionary : IEnumerable<KeyValuePair<string, TValue>>
    {
        Func<Dictionary<string, TValue>, TDictionary> create = typeof(TDictionary).IsAssignableFrom(typeof(Dictionary<string, TValue>))
            ? static map => (TDictionary)(object)map
            : static map =>
            {
                var result = Activator.CreateInstance<TDictionary>();
                var target = (IDictionary<string, TValue>)result!;
                foreach (var entry in map)
                {
                    target[entry.Key] = entry.Value;
                }

                return result;
            };
        return new RapCollectionConverters.Dictionary<TDictionary, TValue>(create);
    }

    private static Type? FindDictionaryValueType(Type type)
    {
        foreach (var candidate in type.IsInterface ? type.GetInterfaces().Append(type) : type.GetInterfaces())
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>)
                && candidate.GetGenericArguments()[0] is { IsGenericType: true } pair
                && pair.GetGenericTypeDefinition() == typeof(KeyValuePair<,>)
                && pair.GetGenericArguments()[0] == typeof(string))
            {
                return pair.GetGenericArguments()[1];
            }
        }

        return null;
    }

    private static Type? FindEnumerableItemType(Type type)
    {
        if (type.IsInterface && type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>))
        {
            return type.GetGenericArguments()[0];
        }

        foreach (var candidate in type.GetInterfaces())
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            {
                return candidate.GetGenericArguments()[0];
            }
        }

        return null;
    }

    private static class Cache<T>
    {
        public static readonly RapConverter<T> Instance = (RapConverter<T>)GetObjectConverter(typeof(T));
    }

    /// <summary>Non-generic collections: written by item runtime types, read as object?[].</summary>
    private sealed class UntypedConverter<T> : RapConverter<T>
    {
        public override void Write(ref MessagePackWriter writer, T value)
        {
            if (value is null)
            {
                writer.WriteNil();
                return;
            }

            RapObjectConverter.WriteUntyped(ref writer, value);
        }

        public override T Read(ref MessagePackReader reader) => (T)GetConverter<object?>().Read(ref reader)!;
    }
}
