namespace OrleansRpc.Server;

/// <summary>Optional per-method settings for a method of a <see cref="RapGroupAttribute"/> class.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class RapFunctionAttribute : Attribute
{
    /// <summary>The rap name; defaults to the method name.</summary>
    public string? Name { get; set; }

    /// <summary>Private functions are only callable from a local peer.</summary>
    public bool IsPrivate { get; set; }

    /// <summary>Free text shown by <c>registry/list</c>.</summary>
    public string? Doc { get; set; }

    /// <summary>Further names the same function is registered under (rap's alias).</summary>
    public string[]? Aliases { get; set; }

    /// <summary>
    /// For a synchronous function: overrides <see cref="RapServerOptions.SynchronousExecution"/> (e.g.
    /// <see cref="RapSynchronousExecution.Inline"/> for a function known to be cheap, <see cref="RapSynchronousExecution.ThreadPool"/>
    /// for one that may block). Unset: the server's option. Ignored for async functions.
    /// </summary>
    public RapSynchronousExecution SynchronousExecution
    {
        get => SynchronousExecutionOverride ?? RapSynchronousExecution.Adaptive;
        set => SynchronousExecutionOverride = value;
    }

    internal RapSynchronousExecution? SynchronousExecutionOverride { get; private set; }
}
