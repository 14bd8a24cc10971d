using System.Collections.Concurrent;
using System.Reflection;

namespace OrleansRpc.Protocol.Errors;

/// <summary>
/// Default mapping of .NET exceptions to Python exception names (§2.8, §3.8). Resolution order:
/// <list type="number">
/// <item><see cref="RapFunctionException.PythonName"/>;</item>
/// <item>a registration (<see cref="Register{TException}"/>) or a <see cref="PythonExceptionAttribute"/> on the type or
/// its nearest base type that has one;</item>
/// <item>a type outside the <c>System</c> namespaces keeps its own name (generic arity removed): the client raises
/// a rap exception of that name if one exists, else <c>InvokeError</c>/<c>RPCError</c> carrying it;</item>
/// <item>the built-in table, walking base types: ArgumentException → ValueError, KeyNotFoundException → KeyError,
/// DivideByZeroException → ZeroDivisionError, TimeoutException → TimeoutError, InvalidOperationException →
/// RuntimeError (the closest Python meaning of "not valid in the current state"), ... ;</item>
/// <item>otherwise the .NET type name.</item>
/// </list>
/// </summary>
public class PythonExceptionMapper : IPythonExceptionMapper
{
    private static readonly Dictionary<Type, string> s_builtIns = new()
    {
        [typeof(ArgumentException)] = "ValueError",
        [typeof(FormatException)] = "ValueError",
        [typeof(KeyNotFoundException)] = "KeyError",
        [typeof(DivideByZeroException)] = "ZeroDivisionError",
        [typeof(OverflowException)] = "OverflowError",
        [typeof(ArithmeticException)] = "ArithmeticError",
        [typeof(TimeoutException)] = "TimeoutError",
        [typeof(InvalidOperationException)] = "RuntimeError",
        [typeof(NotImplementedException)] = "NotImplementedError",
        [typeof(NotSupportedException)] = "NotImplementedError",
        [typeof(IndexOutOfRangeException)] = "IndexError",
        [typeof(InvalidCastException)] = "TypeError",
        [typeof(OutOfMemoryException)] = "MemoryError",
        [typeof(UnauthorizedAccessException)] = "PermissionError",
        [typeof(FileNotFoundException)] = "FileNotFoundError",
        [typeof(IOException)] = "OSError",
    };

    private readonly ConcurrentDictionary<Type, string> _registrations = new();
    private readonly ConcurrentDictionary<Type, string> _cache = new();

    /// <summary>A shared default instance (no registrations).</summary>
    public static PythonExceptionMapper Default { get; } = new();

    /// <summary>Maps <typeparamref name="TException"/> (and derived types without a closer mapping) to <paramref name="pythonName"/>.</summary>
    public PythonExceptionMapper Register<TException>(string pythonName)
        where TException : Exception => Register(typeof(TException), pythonName);

    /// <summary>Maps <paramref name="exceptionType"/> (and derived types without a closer mapping) to <paramref name="pythonName"/>.</summary>
    public PythonExceptionMapper Register(Type exceptionType, string pythonName)
    {
        ArgumentNullException.ThrowIfNull(exceptionType);
        ArgumentException.ThrowIfNullOrWhiteSpace(pythonName);
        if (!typeof(Exception).IsAssignableFrom(exceptionType))
        {
            throw new ArgumentException("Not an exception type.", nameof(exceptionType));
        }

        _registrations[exceptionType] = pythonName;
        _cache.Clear();
        return this;
    }

    /// <inheritdoc />
    public virtual PythonException Map(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            return Map(aggregate.InnerExceptions[0]);
        }

        if (exception is TargetInvocationException { InnerException: { } inner })
        {
            return Map(inner);
        }

        var name = exception is RapFunctionException function
            ? function.PythonName
            : _cache.GetOrAdd(exception.GetType(), Resolve);
        return new PythonException(name, exception.Message);
    }

    /// <summary>Resolves the Python name of an exception type (cached per type).</summary>
    protected virtual string Resolve(Type exceptionType)
    {
        ArgumentNullException.ThrowIfNull(exceptionType);
        for (var type = exceptionType; type is not null && type != typeof(object); type = type.BaseType)
        {
            if (_registrations.TryGetValue(type, out var registered))
            {
                return registered;
            }

            if (type.GetCustomAttribute<PythonExceptionAttribute>(inherit: false) is { } attribute)
            {
                return attribute.Name;
            }
        }

        if (!IsFrameworkType(exceptionType))
        {
            return CleanName(exceptionType);
        }

        for (var type = exceptionType; type is not null && type != typeof(object); type = type.BaseType)
        {
            if (s_builtIns.TryGetValue(type, out var builtIn))
            {
                return builtIn;
            }
        }

        return CleanName(exceptionType);
    }

    private static bool IsFrameworkType(Type type) =>
        type.Namespace is { } ns && (ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal) || ns.StartsWith("Microsoft.", StringComparison.Ordinal));

    private static string CleanName(Type type)
    {
        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : name[..tick];
    }
}
