namespace OrleansRpc.Server;

internal sealed class RapCallContextAccessor : IRapCallContextAccessor
{
    public RapCallContext? CallContext => RapCallContext.Current;
}
