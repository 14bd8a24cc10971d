using System.Collections.Concurrent;
using System.Reflection;
using OrleansRpc.Server.Binding;
using OrleansRpc.Server.Formatters;

namespace OrleansRpc.Server;

/// <summary>
/// The functions a server offers, keyed by (group, name, kind) as in rap (§2.5): the same group/name may exist
/// once as a unary/generator function and once as a channel. Registration compiles the invokers and rejects
/// duplicates and unsupported signatures.
/// </summary>
public sealed class RapFunctionRegistry
{
    /// <summary>rap's default group.</summary>
    public const string DefaultGroup = "default";

    private readonly ConcurrentDictionary<(string Group, string Name, bool Channel), RapFunctionDescriptor> _functions = new();
    private readonly List<RapFunctionDescriptor> _ordered = [];
    private readonly Lock _gate = new();

    public RapFunctionRegistry()
        : this(RapFormatterResolver.Default)
    {
    }

    public RapFunctionRegistry(RapFormatterResolver resolver) => Resolver = resolver;

    public RapFormatterResolver Resolver { get; }

    /// <summary>All functions in registration order.</summary>
    public IReadOnlyList<RapFunctionDescriptor> Functions
    {
        get
        {
            lock (_gate)
            {
                return [.. _ordered];
            }
        }
    }

    /// <summary>Registers a delegate (lambda, method group).</summary>
    public RapFunctionDescriptor Register(Delegate function, string? name = null, string group = DefaultGroup, bool isPrivate = false, string? doc = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        var method = function.Method;
        return Register(method, function.Target, name ?? InferName(method), group, isPrivate, doc);
    }

    /// <summary>Registers a method; <paramref name="target"/> is the instance for instance methods.</summary>
    public RapFunctionDescriptor Register(MethodInfo method, object? target, string? name = null, string group = DefaultGroup, bool isPrivate = false, string? doc = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        name ??= method.Name;
        ValidateName(group, "group");
        ValidateName(name, "name");
        var descriptor = RapInvokerCompiler.Compile(group, name, method, target, isPrivate, doc, Resolver);
        // [RapFunction(SynchronousExecution = ...)] on a method or a lambda.
        descriptor.SynchronousExecution = method.GetCustomAttribute<RapFunctionAttribute>()?.SynchronousExecutionOverride;
        Add(descriptor);
        return descriptor;
    }

    /// <summary>Registers <paramref name="existing"/> under a second name (rap's alias), optionally in another group.</summary>
    public RapFunctionDescriptor RegisterAlias(RapFunctionDescriptor existing, string alias, string? group = null)
    {
        ArgumentNullException.ThrowIfNull(existing);
        ValidateName(alias, "name");
        var descriptor = existing.WithName(alias, group);
        Add(descriptor);
        return descriptor;
    }

    /// <summary>Registers every public method of <paramref name="instance"/>'s class as one group (see <see cref="RapGroupAttribute"/>).</summary>
    public IReadOnlyList<RapFunctionDescriptor> RegisterGroup(object instance, string? group = null)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var type = instance.GetType();
        group ??= type.GetCustomAttribute<RapGroupAttribute>()?.Name ?? DefaultGroup;
        var added = new List<RapFunctionDescriptor>();
        var methods = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.GetCustomAttribute<RapIgnoreAttribute>() is null)
            .OrderBy(m => m.MetadataToken);
        foreach (var method in methods)
        {
            var options = method.GetCustomAttribute<RapFunctionAttribute>();
            var descriptor = Register(method, method.IsStatic ? null : instance, options?.Name ?? method.Name, group, options?.IsPrivate ?? false, options?.Doc);
            added.Add(descriptor);
            foreach (var alias in options?.Aliases ?? [])
            {
                added.Add(RegisterAlias(descriptor, alias));
            }
        }

        return added;
    }

    /// <summary>Finds a function by the kind of frame that addresses it.</summary>
    /// <param name="group">The group.</param>
    /// <param name="name">The name.</param>
    /// <param name="channelFrame">True for a channel DECLARE (HEAD also drives generators as channels).</param>
    /// <param name="function">The function, when found.</param>
    public bool TryGet(string group, string name, bool channelFrame, out RapFunctionDescriptor? function)
        => _functions.TryGetValue((group, name, channelFrame), out function);

    /// <summary>Finds a function of a given kind.</summary>
    public RapFunctionDescriptor? Find(string group, string name, RapFunctionKind kind)
        => _functions.TryGetValue((group, name, kind == RapFunctionKind.Channel), out var f) && f.Kind == kind ? f : null;

    private void Add(RapFunctionDescriptor descriptor)
    {
        var key = (descriptor.Group, descriptor.Name, descriptor.Kind == RapFunctionKind.Channel);
        lock (_gate)
        {
            if (!_functions.TryAdd(key, descriptor))
            {
                var existing = _functions[key];
                throw new RapRegistrationException(
                    $"Cannot register '{descriptor.Group}/{descriptor.Name}': a {KindText(existing.Kind)} function with that group and name is already registered ({existing.Method.DeclaringType?.Name}.{existing.Method.Name})");
            }

            _ordered.Add(descriptor);
        }
    }

    private static string KindText(RapFunctionKind kind) => kind == RapFunctionKind.Channel ? "channel" : "normal";

    private static void ValidateName(string value, string what)
    {
        if (string.IsNullOrEmpty(value) || value.Contains('/', StringComparison.Ordinal))
        {
            throw new RapRegistrationException($"invalid {what} '{value}': it must be non-empty and must not contain '/'");
        }
    }

    // Lambdas get compiler names like "<Main>b__0_0": those need an explicit name.
    private static string InferName(MethodInfo method)
        => method.Name.Contains('<', StringComparison.Ordinal)
            ? throw new RapRegistrationException("a lambda needs an explicit name")
            : method.Name;
}
