using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json.Serialization;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Serialization;

/// <summary>
/// Records, POCOs and anonymous types as str-keyed maps of their public properties. Accessors are compiled once with
/// expression trees. Reading matches keys to properties or constructor parameters by name, case-insensitively and
/// ignoring underscores (so Python's <c>user_id</c> fills <c>UserId</c>).
/// </summary>
internal sealed class RapMapObjectConverter<T> : RapConverter<T>
{
    private readonly Member[] _members;
    private readonly Dictionary<string, int> _byKey;
    private readonly Func<object?[], object>? _construct;
    private readonly int[] _constructorMembers;
    private readonly Func<object>? _createEmpty;

    public RapMapObjectConverter()
    {
        var type = typeof(T);
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is not null && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .ToArray();
        _members = new Member[properties.Length];
        _byKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var target = Expression.Parameter(typeof(object), "target");
        var value = Expression.Parameter(typeof(object), "value");
        for (var i = 0; i < properties.Length; i++)
        {
            var property = properties[i];
            var name = property.GetCustomAttribute<RapNameAttribute>()?.Name
                ?? property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name
                ?? property.Name;
            var getter = Expression.Lambda<Func<object, object?>>(
                Expression.Convert(Expression.Property(Expression.Convert(target, type), property), typeof(object)), target).Compile();
            Action<object, object?>? setter = null;
            if (property.SetMethod is { IsPublic: true } && !type.IsValueType)
            {
                setter = Expression.Lambda<Action<object, object?>>(
                    Expression.Assign(Expression.Property(Expression.Convert(target, type), property), Expression.Convert(value, property.PropertyType)),
                    target, value).Compile();
            }

            _members[i] = new Member(name, property.PropertyType, getter, setter, RapSerializer.GetObjectConverterLazy(property.PropertyType));
            _byKey.TryAdd(Normalize(name), i);
        }

        var constructors = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance);
        if (!type.IsAbstract && !type.IsInterface)
        {
            var empty = constructors.FirstOrDefault(c => c.GetParameters().Length == 0);
            if (empty is not null || type.IsValueType)
            {
                _createEmpty = Expression.Lambda<Func<object>>(Expression.Convert(Expression.New(type), typeof(object))).Compile();
                _constructorMembers = [];
            }
            else
            {
                var constructor = constructors.OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
                var parameters = constructor?.GetParameters() ?? [];
                _constructorMembers = new int[parameters.Length];
                for (var i = 0; i < parameters.Length; i++)
                {
                    _constructorMembers[i] = _byKey.TryGetValue(Normalize(parameters[i].Name ?? string.Empty), out var index) ? index : -1;
                }

                if (constructor is not null)
                {
                    var args = Expression.Parameter(typeof(object?[]), "args");
                    var arguments = parameters.Select((p, i) => (Expression)Expression.Convert(
                        Expression.ArrayIndex(args, Expression.Constant(i)), p.ParameterType));
                    _construct = Expression.Lambda<Func<object?[], object>>(
                        Expression.Convert(Expression.New(constructor, arguments), typeof(object)), args).Compile();
                }
            }
        }
        else
        {
            _constructorMembers = [];
        }
    }

    public override void Write(ref MessagePackWriter writer, T value)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteMapHeader(_members.Length);
        foreach (var member in _members)
        {
            writer.Write(member.Name);
            RapSerializer.GetConverter<object?>().Write(ref writer, member.Get(value));
        }
    }

    public override T Read(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
        {
            return default!;
        }

        var count = reader.ReadMapHeader();
        var values = new object?[_members.Length];
        var seen = new bool[_members.Length];
        for (var i = 0; i < count; i++)
        {
            var key = RapObjectConverter.ReadKey(ref reader);
            if (_byKey.TryGetValue(Normalize(key), out var index))
            {
                values[index] = _members[index].Converter.Value.ReadObject(ref reader);
                seen[index] = true;
            }
            else
            {
                reader.Skip();
            }
        }

        object instance;
        if (_createEmpty is not null)
        {
            instance = _createEmpty();
        }
        else if (_construct is not null)
        {
            var args = new object?[_constructorMembers.Length];
            for (var i = 0; i < args.Length; i++)
            {
                var index = _constructorMembers[i];
                if (index >= 0)
                {
                    args[i] = values[index];
                    seen[index] = false;
                }
            }

            instance = _construct(args);
        }
        else
        {
            throw new RapSerializationException($"{typeof(T)} has no public constructor to read a map into.");
        }

        for (var i = 0; i < _members.Length; i++)
        {
            if (seen[i] && _members[i].Set is { } set)
            {
                set(instance, values[i]);
            }
        }

        return (T)instance;
    }

    private static string Normalize(string name) => name.Replace("_", string.Empty, StringComparison.Ordinal).ToUpperInvariant();

    private sealed record Member(string Name, Type Type, Func<object, object?> Get, Action<object, object?>? Set, Lazy<IRapObjectConverter> Converter);
}
