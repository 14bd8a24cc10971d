namespace OrleansRpc.Server;

/// <summary>A deferred registration, applied to the <see cref="RapFunctionRegistry"/> when it is first resolved.</summary>
public sealed class RapFunctionRegistration
{
    public RapFunctionRegistration(Action<RapFunctionRegistry, IServiceProvider> apply) => Apply = apply;

    public Action<RapFunctionRegistry, IServiceProvider> Apply { get; }
}
