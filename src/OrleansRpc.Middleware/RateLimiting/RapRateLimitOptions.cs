namespace OrleansRpc.Middleware.RateLimiting;

/// <summary>rap's <c>LimitProcessor(backend, rule_list)</c>: token-bucket rules over calls (RAP_PROTOCOL.md: TooManyRequest, HEAD 429, 0.5.3.8 511).</summary>
public sealed class RapRateLimitOptions
{
    /// <summary>The configuration section (below <c>OrleansRpc:Middleware</c>).</summary>
    public const string SectionName = "RateLimit";

    /// <summary>Rules, first match wins. A call no rule matches is not limited.</summary>
    public IList<RapRateLimitRule> Rules { get; } = [];
}
