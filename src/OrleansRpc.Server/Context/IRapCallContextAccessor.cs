namespace OrleansRpc.Server;

/// <summary>DI-friendly access to <see cref="RapCallContext.Current"/> (like IHttpContextAccessor).</summary>
public interface IRapCallContextAccessor
{
    RapCallContext? CallContext { get; }
}
