namespace OrleansRpc.Middleware.RateLimiting;

/// <summary>
/// One token-bucket rule (rap's <c>Rule</c> of its <c>LimitProcessor</c>). A call matches when every criterion that is
/// set matches; the first matching rule applies. Each bucket starts with <see cref="InitialTokens"/> (default: full),
/// holds at most <see cref="MaxTokens"/> and gains <see cref="TokensPerPeriod"/> every <see cref="Period"/>; a call takes one token.
/// </summary>
public sealed class RapRateLimitRule
{
    /// <summary>Name used in logs and metrics. Default: <c>rule&lt;index&gt;</c>.</summary>
    public string? Name { get; set; }

    /// <summary>Function group to match; null or <c>*</c> matches every group.</summary>
    public string? Group { get; set; }

    /// <summary>Function name to match; null or <c>*</c> matches every function.</summary>
    public string? Function { get; set; }

    /// <summary>Client address or CIDR range to match (IPv4, IPv6, mapped addresses as IPv4); null matches every client.</summary>
    public string? ClientIp { get; set; }

    /// <summary>Request header whose value is matched (<see cref="HeaderValue"/>) or partitions the buckets.</summary>
    public string? HeaderName { get; set; }

    /// <summary>Value <see cref="HeaderName"/> must have; null: the header only has to be present (when named).</summary>
    public string? HeaderValue { get; set; }

    /// <summary>How buckets are split: one per rule, per client IP or per value of <see cref="HeaderName"/>. Default one per rule.</summary>
    public RapRateLimitPartition PartitionBy { get; set; }

    /// <summary>Bucket size (rap <c>max_token</c>, default 100).</summary>
    public int MaxTokens { get; set; } = 100;

    /// <summary>Tokens added every <see cref="Period"/> (rap <c>gen_token</c>, default 1).</summary>
    public int TokensPerPeriod { get; set; } = 1;

    /// <summary>Refill period (rap: second/minute/hour/day/week, default 1 s).</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Tokens of a new bucket (rap <c>init_token</c>); null: <see cref="MaxTokens"/>.</summary>
    public int? InitialTokens { get; set; }
}
