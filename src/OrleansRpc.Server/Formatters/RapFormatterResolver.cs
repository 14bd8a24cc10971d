using System.Collections.Concurrent;
using System.Reflection;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

/// <summary>
/// Finds the formatter for a C# type: integers, floating point, bool, string, byte[], <see cref="MessagePackValue"/>
/// (any), nullable, arrays and lists, string-keyed dictionaries and POCOs/records. <see langword="null"/> means unsupported.
/// </summary>
public sealed class RapFormatterResolver
{
    private readonly ConcurrentDictionary<Type, IRapFormatter?> _cache = new();
    private readonly object _gate = new();
    private readonly HashSet<Type> _creating = [];

    /// <summary>The shared resolver.</summary>
    public static RapFormatterResolver Default { get; } = new();

    /// <summary>The formatter for <paramref name="type"/>, wrapped to accept nil when the member is annotated nullable.</summary>
    /// <param name="type">The declared type.</param>
    /// <param name="member">A <see cref="ParameterInfo"/> or <see cref="PropertyInfo"/> for nullability, or <see langword="null"/>.</param>
    public IRapFormatter? GetFormatter(Type type, ICustomAttributeProvider? member)
    {
        var formatter = GetFormatter(type);
        if (formatter is null || type.IsValueType || member is null)
        {
            return formatter;
        }

        // NullabilityInfoContext caches without a lock, so hosts registering functions on several threads (or two
        // hosts in one process) must not share one; this runs at registration only.
        var nullability = new NullabilityInfoContext();
        var state = member switch
        {
            ParameterInfo p => nullability.Create(p).ReadState,
            PropertyInfo p => nullability.Create(p).ReadState,
            _ => NullabilityState.Unknown,
        };
        return state == NullabilityState.Nullable
            ? (IRapFormatter)Activator.CreateInstance(typeof(NullableReferenceFormatter<>).MakeGenericType(type), formatter)!
            : formatter;
    }

    /// <summary>The formatter for <paramref name="type"/> as declared (reference types non-nullable), or null.</summary>
    public IRapFormatter? GetFormatter(Type type)
    {
        if (_cache.TryGetValue(type, out var cached))
        {
            return cached;
        }

        // Creation may recurse (collections, POCO members); one lock keeps it simple and it only runs at registration.
        lock (_gate)
        {
            if (_cache.TryGetValue(type, out cached))
            {
                return cached;
            }

            // A type that contains itself (a linked node, a tree) would recurse forever: refuse it at registration.
            if (!_creating.Add(type))
            {
                throw new RapRegistrationException($"type '{type}' refers to itself; recursive types are not supported");
            }

            try
            {
                var created = Create(type);
                _cache[type] = created;
                return created;
            }
            finally
            {
                _creating.Remove(type);
            }
        }
    }

    private IRapFormatter? Create(Type type)
    {
        if (type == typeof(int)) return Int32Formatter.Instance;
        if (type == typeof(long)) return Int64Formatter.Instance;
        if (type == typeof(uint)) return UInt32Formatter.Instance;
        if (type == typeof(ulong)) return UInt64Formatter.Instance;
        if (type == typeof(short)) return Int16Formatter.Instance;
        if (type == typeof(ushort)) return UInt16Formatter.Instance;
        if (type == typeof(byte)) return ByteFormatter.Instance;
        if (type == typeof(sbyte)) return SByteFormatter.Instance;
        if (type == typeof(double)) return DoubleFormatter.Instance;
        if (type == typeof(float)) return SingleFormatter.Instance;
        if (type == typeof(bool)) return BooleanFormatter.Instance;
        if (type == typeof(string)) return StringFormatter.Instance;
        if (type == typeof(byte[])) return ByteArrayFormatter.Instance;
        if (type == typeof(MessagePackValue)) return MessagePackValueFormatter.Instance;

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return GetFormatter(underlying) is { } inner
                ? Make(typeof(NullableFormatter<>), [underlying], inner)
                : null;
        }

        if (type.IsArray)
        {
            var element = type.GetElementType()!;
            return type.GetArrayRank() == 1 && GetFormatter(element) is { } inner
                ? Make(typeof(ArrayFormatter<>), [element], inner)
                : null;
        }

        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var args = type.GetGenericArguments();
            if (args.Length == 1 && typeof(List<>).MakeGenericType(args[0]) is var listType && type.IsAssignableFrom(listType)
                && (definition == typeof(List<>) || type.IsInterface))
            {
                return GetFormatter(args[0]) is { } inner ? Make(typeof(ListFormatter<,>), [type, args[0]], inner) : null;
            }

            if (args.Length == 2 && (definition == typeof(Dictionary<,>) || (type.IsInterface && type.IsAssignableFrom(typeof(Dictionary<,>).MakeGenericType(args)))))
            {
                // Only string keys: Python's strict_map_key decoder refuses anything else.
                return args[0] == typeof(string) && GetFormatter(args[1]) is { } inner
                    ? Make(typeof(DictionaryFormatter<,>), [type, args[1]], inner)
                    : null;
            }
        }

        if (IsPoco(type))
        {
            // Registered before members are resolved would need a forward reference; recursion on the same type is unsupported.
            try
            {
                return (IRapFormatter)Activator.CreateInstance(typeof(ObjectFormatter<>).MakeGenericType(type), this)!;
            }
            catch (TargetInvocationException ex) when (ex.InnerException is RapRegistrationException inner)
            {
                throw new RapRegistrationException(inner.Message, inner);
            }
        }

        return null;
    }

    private static IRapFormatter Make(Type definition, Type[] args, IRapFormatter inner)
        => (IRapFormatter)Activator.CreateInstance(definition.MakeGenericType(args), inner)!;

    private static bool IsPoco(Type type)
    {
        if (type.IsPrimitive || type.IsEnum || type.IsPointer || type.IsByRefLike || type.IsAbstract || type.IsInterface
            || type.IsGenericTypeDefinition || type.ContainsGenericParameters || type == typeof(object) || type == typeof(decimal)
            || typeof(Delegate).IsAssignableFrom(type) || typeof(Task).IsAssignableFrom(type)
            || type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true)
        {
            return false;
        }

        return type.GetConstructors().Length > 0
            && type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Length > 0;
    }
}
