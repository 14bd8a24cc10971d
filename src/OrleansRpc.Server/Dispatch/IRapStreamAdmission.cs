namespace OrleansRpc.Server;

/// <summary>
/// Asked before a channel opens or a generator starts (unary calls are admitted by grain call filters in the grain):
/// returns null to let it start, or the rap error to answer instead (e.g. the rate limiter's TooManyRequest). Runs
/// on the gateway's path: fast, never throwing.
/// </summary>
public interface IRapStreamAdmission
{
    RapCallResult? Admit(RapFunctionDescriptor function, RapCallContext context);
}
