using System.Collections.Concurrent;
using System.Reflection;
using OrleansRpc.Grains.Concurrency;

namespace OrleansRpc.Grains;

/// <summary>
/// A cached description of one grain interface method: its scheduling attributes and response timeout.
/// Create once (e.g. in a static field) and pass to <see cref="GrainReference"/>'s invoke methods.
/// </summary>
public sealed class GrainMethod
{
    private static readonly ConcurrentDictionary<MethodInfo, GrainMethod> s_cache = new();

    private GrainMethod(MethodInfo method)
    {
        InterfaceMethod = method;
        InterfaceType = method.DeclaringType ?? throw new ArgumentException("The method has no declaring type.", nameof(method));
        InterfaceName = InterfaceType.FullName ?? InterfaceType.Name;
        MethodName = method.Name;
        IsAlwaysInterleave = method.IsDefined(typeof(AlwaysInterleaveAttribute), inherit: true);
        IsReadOnly = method.IsDefined(typeof(ReadOnlyAttribute), inherit: true);
        ResponseTimeout = method.GetCustomAttribute<ResponseTimeoutAttribute>(inherit: true)?.Timeout;
    }

    public MethodInfo InterfaceMethod { get; }

    public Type InterfaceType { get; }

    public string InterfaceName { get; }

    public string MethodName { get; }

    /// <summary>[AlwaysInterleave]: runs even while another request is in progress and never blocks others.</summary>
    public bool IsAlwaysInterleave { get; }

    /// <summary>[ReadOnly]: may interleave with other read-only requests.</summary>
    public bool IsReadOnly { get; }

    /// <summary>[ResponseTimeout], if set on the method.</summary>
    public TimeSpan? ResponseTimeout { get; }

    /// <summary>Returns the (cached) descriptor of an interface method.</summary>
    public static GrainMethod Create(MethodInfo interfaceMethod)
    {
        ArgumentNullException.ThrowIfNull(interfaceMethod);
        return s_cache.GetOrAdd(interfaceMethod, static m => new GrainMethod(m));
    }

    /// <summary>Returns the (cached) descriptor of the method <paramref name="methodName"/> on <typeparamref name="TGrainInterface"/>.</summary>
    public static GrainMethod Create<TGrainInterface>(string methodName)
    {
        var method = typeof(TGrainInterface).GetMethod(methodName)
            ?? throw new ArgumentException($"{typeof(TGrainInterface)} has no method '{methodName}'.", nameof(methodName));
        return Create(method);
    }

    public override string ToString() => $"{InterfaceName}.{MethodName}";
}
