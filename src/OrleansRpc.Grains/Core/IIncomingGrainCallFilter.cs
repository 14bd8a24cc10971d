namespace OrleansRpc.Grains;

/// <summary>
/// Intercepts incoming grain calls. Silo-wide filters come from DI (registration order), then the grain's own
/// filter if the grain class implements this interface, then the method. A filter must await
/// <c>context.Invoke()</c> or set <c>context.Result</c>; otherwise the call fails as a broken filter chain.
/// </summary>
public interface IIncomingGrainCallFilter
{
    Task Invoke(IIncomingGrainCallContext context);
}
