namespace OrleansRpc.Middleware.RateLimiting;

/// <summary>How a <see cref="RapRateLimitRule"/> splits its token buckets.</summary>
public enum RapRateLimitPartition
{
    /// <summary>One bucket for everything the rule matches.</summary>
    None,

    /// <summary>One bucket per client IP address.</summary>
    ClientIp,

    /// <summary>One bucket per value of the rule's header.</summary>
    Header,
}
