using System.Reflection;
using OrleansRpc.Client.Serialization;
using OrleansRpc.Protocol;

namespace OrleansRpc.Client.Proxies;

/// <summary>Everything about one proxy method, computed once when the proxy type is built.</summary>
internal sealed class RapProxyMethod
{
    public RapProxyMethod(MethodInfo method, string defaultGroup)
    {
        var attribute = method.GetCustomAttribute<RapFunctionAttribute>();
        Group = attribute?.Group ?? defaultGroup;
        // Same default as the server's registry: the method name as written.
        Name = attribute?.Name ?? method.Name;
        Method = method;
        var parameters = method.GetParameters();
        ParameterNames = new string?[parameters.Length];
        IsOptional = new bool[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            var parameter = parameters[i];
            if (parameter.ParameterType.IsByRef)
            {
                throw new NotSupportedException($"{method.DeclaringType}.{method.Name}: ref/out parameters cannot be sent.");
            }

            if (parameter.ParameterType == typeof(CancellationToken))
            {
                CancellationTokenIndex = i;
            }
            else if (parameter.ParameterType == typeof(RapCallOptions))
            {
                OptionsIndex = i;
            }
            else if (parameter.ParameterType == typeof(Func<RapChannel, Task>))
            {
                HandlerIndex = i;
            }
            else
            {
                ParameterNames[i] = parameter.GetCustomAttribute<RapNameAttribute>()?.Name ?? parameter.Name ?? ("arg" + i);
                IsOptional[i] = parameter.IsOptional;
            }
        }

        Kind = Classify(method, HandlerIndex >= 0, out var resultType);
        ResultType = resultType;
    }

    public MethodInfo Method { get; }

    public string Group { get; }

    public string Name { get; }

    public RapProxyMethodKind Kind { get; }

    /// <summary>T of Task&lt;T&gt;/ValueTask&lt;T&gt;/IAsyncEnumerable&lt;T&gt;; null otherwise.</summary>
    public Type? ResultType { get; }

    public string?[] ParameterNames { get; }

    public bool[] IsOptional { get; }

    public int CancellationTokenIndex { get; } = -1;

    public int OptionsIndex { get; } = -1;

    public int HandlerIndex { get; } = -1;

    /// <summary>Turns the boxed arguments into call arguments (HEAD: all by name; v0.5.3.8: required positional, optional by name).</summary>
    public RapArgs Bind(object?[] values, RapVersion version, out RapCallOptions? options, out CancellationToken cancellationToken)
    {
        options = OptionsIndex >= 0 ? (RapCallOptions?)values[OptionsIndex] : null;
        cancellationToken = CancellationTokenIndex >= 0 ? (CancellationToken)values[CancellationTokenIndex]! : default;
        var named = new List<KeyValuePair<string, object?>>(values.Length);
        var positional = new List<object?>();
        for (var i = 0; i < values.Length; i++)
        {
            if (ParameterNames[i] is not { } name)
            {
                continue;
            }

            if (version == RapVersion.V0538 && !IsOptional[i])
            {
                positional.Add(values[i]);
            }
            else
            {
                named.Add(new(name, values[i]));
            }
        }

        return RapArgs.Create(named, positional);
    }

    private static RapProxyMethodKind Classify(MethodInfo method, bool hasHandler, out Type? resultType)
    {
        var type = method.ReturnType;
        resultType = null;
        if (hasHandler)
        {
            if (type != typeof(Task))
            {
                throw new NotSupportedException($"{method.DeclaringType}.{method.Name}: a method with a Func<RapChannel, Task> parameter must return Task.");
            }

            return RapProxyMethodKind.ChannelHandler;
        }

        if (type == typeof(Task))
        {
            return RapProxyMethodKind.TaskVoid;
        }

        if (type == typeof(ValueTask))
        {
            return RapProxyMethodKind.ValueTaskVoid;
        }

        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var argument = type.GetGenericArguments()[0];
            resultType = argument;
            if (definition == typeof(Task<>))
            {
                return argument == typeof(RapChannel) ? RapProxyMethodKind.ChannelTask : RapProxyMethodKind.Task;
            }

            if (definition == typeof(ValueTask<>))
            {
                return argument == typeof(RapChannel) ? RapProxyMethodKind.ChannelValueTask : RapProxyMethodKind.ValueTask;
            }

            if (definition == typeof(IAsyncEnumerable<>))
            {
                return RapProxyMethodKind.Stream;
            }
        }

        throw new NotSupportedException(
            $"{method.DeclaringType}.{method.Name}: return Task, Task<T>, ValueTask, ValueTask<T>, IAsyncEnumerable<T> or Task<RapChannel>.");
    }
}
