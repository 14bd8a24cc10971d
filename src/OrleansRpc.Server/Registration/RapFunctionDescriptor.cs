using System.Reflection;
using OrleansRpc.Server.Binding;
using OrleansRpc.Server.Dispatch;

namespace OrleansRpc.Server;

/// <summary>A registered function: its address (group, name, kind), flags, signature and pre-bound invokers.</summary>
public sealed class RapFunctionDescriptor
{
    internal RapFunctionDescriptor(
        string group,
        string name,
        RapFunctionKind kind,
        bool isPrivate,
        string doc,
        MethodInfo method,
        object? target,
        IReadOnlyList<RapParameterDescriptor> parameters,
        Type resultType,
        bool isSynchronous,
        CompiledInvokers invokers)
    {
        Group = group;
        Name = name;
        Kind = kind;
        IsPrivate = isPrivate;
        Doc = doc;
        Method = method;
        Target = target;
        Parameters = parameters;
        ResultType = resultType;
        IsSynchronous = isSynchronous;
        Invokers = invokers;
        UsesSession = parameters.Any(p => p.Source == RapParameterSource.Session);
        Inlining = isSynchronous && kind == RapFunctionKind.Normal ? new AdaptiveInlining() : null;
    }

    public string Group { get; }

    public string Name { get; }

    public RapFunctionKind Kind { get; }

    /// <summary>Callable only from a local peer.</summary>
    public bool IsPrivate { get; }

    public string Doc { get; }

    /// <summary>The C# method (for registry listings and diagnostics; never invoked by reflection).</summary>
    public MethodInfo Method { get; }

    /// <summary>Parameters in signature order, wire and injected.</summary>
    public IReadOnlyList<RapParameterDescriptor> Parameters { get; }

    /// <summary>The result (or generator item) type after unwrapping Task/ValueTask/IAsyncEnumerable; void is <see cref="void"/>.</summary>
    public Type ResultType { get; }

    /// <summary>A plain (non-async) method: the dispatcher runs it on the thread pool.</summary>
    public bool IsSynchronous { get; }

    /// <summary>Takes a <see cref="RapSession"/> parameter: its session is activated before the call.</summary>
    public bool UsesSession { get; }

    internal object? Target { get; }

    internal CompiledInvokers Invokers { get; }

    /// <summary>The function's own <see cref="RapFunctionAttribute.SynchronousExecution"/>, if it has one.</summary>
    internal RapSynchronousExecution? SynchronousExecution { get; set; }

    /// <summary>The adaptive inlining state of a synchronous unary function (null otherwise).</summary>
    internal AdaptiveInlining? Inlining { get; }

    /// <summary>The group's function-group grain, cached on first call (benign race: any reference to the group is the same).</summary>
    internal IFunctionGroupGrain? GroupGrain { get; set; }

    /// <summary>The same function under another name (rap's alias); shares the compiled invokers.</summary>
    internal RapFunctionDescriptor WithName(string name, string? group = null)
        => new(group ?? Group, name, Kind, IsPrivate, Doc, Method, Target, Parameters, ResultType, IsSynchronous, Invokers)
        {
            SynchronousExecution = SynchronousExecution,
        };

    public override string ToString() => $"{Kind} /{Group}/{Name}";
}
