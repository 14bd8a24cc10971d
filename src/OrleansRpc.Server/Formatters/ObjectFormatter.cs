using System.Linq.Expressions;
using System.Reflection;
using System.Text;
using System.Text.Json.Serialization;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

/// <summary>
/// A POCO or record as a msgpack map: public readable properties are written by name
/// (<see cref="JsonPropertyNameAttribute"/> renames); reading matches keys case-insensitively to the
/// parameters of the widest public constructor and to settable properties. Member values are boxed:
/// rich types are off the ≤256-bytes-per-call path that scalar signatures stay on.
/// </summary>
internal sealed class ObjectFormatter<T> : RapFormatter<T>
{
    private readonly Member[] _members;
    private readonly Dictionary<string, int> _readIndex;
    private readonly int _constructorArgs;
    private readonly Func<object?[], T> _create;

    public ObjectFormatter(RapFormatterResolver resolver)
    {
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is { IsPublic: true })
            .ToArray();
        var constructor = typeof(T).GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()
            ?? throw new RapRegistrationException($"type '{typeof(T)}' has no public constructor");
        var ctorParameters = constructor.GetParameters();
        _constructorArgs = ctorParameters.Length;
        _readIndex = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var members = new List<Member>();

        // Slots 0..n-1 are constructor arguments; further slots are settable properties not covered by them.
        foreach (var parameter in ctorParameters)
        {
            var formatter = resolver.GetFormatter(parameter.ParameterType, null)
                ?? throw new RapRegistrationException($"member '{parameter.Name}' of type '{typeof(T)}' has unsupported type '{parameter.ParameterType}'");
            var property = properties.FirstOrDefault(p => string.Equals(p.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
            var wireName = property is null ? parameter.Name! : WireName(property);
            _readIndex[wireName] = members.Count;
            _readIndex.TryAdd(parameter.Name!, members.Count);
            members.Add(new Member(wireName, formatter, property, parameter));
        }

        foreach (var property in properties)
        {
            if (members.Any(m => m.Property == property))
            {
                continue;
            }

            var formatter = resolver.GetFormatter(property.PropertyType, property)
                ?? throw new RapRegistrationException($"member '{property.Name}' of type '{typeof(T)}' has unsupported type '{property.PropertyType}'");
            var wireName = WireName(property);
            _readIndex.TryAdd(wireName, members.Count);
            members.Add(new Member(wireName, formatter, property, null));
        }

        _members = [.. members];
        _create = CompileFactory(constructor, _members);
    }

    public override string PythonTypeName => "dict";

    public override bool Accepts(MessagePackType type, bool strict) => type == MessagePackType.Map;

    public override T Read(ref MessagePackReader reader)
    {
        var values = new object?[_members.Length];
        var count = reader.ReadMapHeader();
        for (var i = 0; i < count; i++)
        {
            if (reader.NextMessagePackType != MessagePackType.String)
            {
                throw new MessagePackSerializationException("map keys must be str");
            }

            var key = reader.ReadString()!;
            if (_readIndex.TryGetValue(key, out var index))
            {
                values[index] = _members[index].Formatter.ReadBoxed(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return _create(values);
    }

    public override void Write(ref MessagePackWriter writer, T value)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        var readable = 0;
        foreach (var member in _members)
        {
            readable += member.Getter is null ? 0 : 1;
        }

        writer.WriteMapHeader(readable);
        foreach (var member in _members)
        {
            if (member.Getter is { } getter)
            {
                writer.WriteString(member.Utf8Name);
                member.Formatter.WriteBoxed(ref writer, getter(value));
            }
        }
    }

    private static string WireName(PropertyInfo property)
        => property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? property.Name;

    private Func<object?[], T> CompileFactory(ConstructorInfo constructor, Member[] members)
    {
        var values = Expression.Parameter(typeof(object?[]), "values");
        var result = Expression.Variable(typeof(T), "result");
        var body = new List<Expression>();
        var args = new Expression[_constructorArgs];
        for (var i = 0; i < _constructorArgs; i++)
        {
            var parameter = members[i].Parameter!;
            var fallback = parameter.HasDefaultValue && parameter.DefaultValue is not null
                ? Expression.Constant(parameter.DefaultValue, typeof(object))
                : (Expression)Expression.Constant(null, typeof(object));
            var slot = Expression.ArrayIndex(values, Expression.Constant(i));
            var boxed = Expression.Coalesce(slot, fallback);
            args[i] = Unbox(boxed, parameter.ParameterType);
        }

        body.Add(Expression.Assign(result, Expression.New(constructor, args)));
        for (var i = _constructorArgs; i < members.Length; i++)
        {
            var property = members[i].Property!;
            if (property.SetMethod is not { IsPublic: true })
            {
                continue;
            }

            var slot = Expression.ArrayIndex(values, Expression.Constant(i));
            body.Add(Expression.IfThen(
                Expression.NotEqual(slot, Expression.Constant(null)),
                Expression.Assign(Expression.Property(result, property), Expression.Convert(slot, property.PropertyType))));
        }

        body.Add(result);
        return Expression.Lambda<Func<object?[], T>>(Expression.Block([result], body), values).Compile();
    }

    // null → default(T) for value types, a plain cast otherwise.
    private static Expression Unbox(Expression boxed, Type type)
    {
        if (!type.IsValueType)
        {
            return Expression.Convert(boxed, type);
        }

        var temp = Expression.Variable(typeof(object), "boxed");
        return Expression.Block(
            [temp],
            Expression.Assign(temp, boxed),
            Expression.Condition(Expression.Equal(temp, Expression.Constant(null)), Expression.Default(type), Expression.Convert(temp, type)));
    }

    private sealed class Member
    {
        public Member(string name, IRapFormatter formatter, PropertyInfo? property, ParameterInfo? parameter)
        {
            Utf8Name = Encoding.UTF8.GetBytes(name);
            Formatter = formatter;
            Property = property;
            Parameter = parameter;
            if (property is not null)
            {
                var instance = Expression.Parameter(typeof(T), "instance");
                Getter = Expression.Lambda<Func<T, object?>>(
                    Expression.Convert(Expression.Property(instance, property), typeof(object)), instance).Compile();
            }
        }

        public byte[] Utf8Name { get; }

        public IRapFormatter Formatter { get; }

        public PropertyInfo? Property { get; }

        public ParameterInfo? Parameter { get; }

        public Func<T, object?>? Getter { get; }
    }
}
