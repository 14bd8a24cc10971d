using Microsoft.Extensions.Logging;
using OrleansRpc.Middleware.Diagnostics;
using OrleansRpc.Protocol.Errors;
using OrleansRpc.Server;

namespace OrleansRpc.Middleware.RateLimiting;

/// <summary>The rate-limit rules applied to channels and generators when they open (unary calls: <see cref="RapCallFilter"/>).</summary>
public sealed class RapRateLimitAdmission(RapRateLimiter limiter, RapMiddlewareInstruments instruments, ILogger<RapRateLimitAdmission> logger) : IRapStreamAdmission
{
    public RapCallResult? Admit(RapFunctionDescriptor function, RapCallContext context)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(context);
        if (limiter.Check(function.Group, function.Name, context.Peer.Host ?? string.Empty, context.Header) is not { } refusal)
        {
            return null;
        }

        instruments.RateLimited.Add(1, new KeyValuePair<string, object?>("rule", refusal.Rule));
        MiddlewareLog.RateLimited(logger, function.Group, function.Name, context.Peer.Host ?? string.Empty, refusal.Rule);
        return RapCallResult.Status(RapErrorKind.TooManyRequest, refusal.Message);
    }
}
