namespace OrleansRpc.Middleware;

/// <summary>
/// Configuration sections of the middleware, all below <see cref="Root"/> (environment variables:
/// <c>ORLEANSRPC__MIDDLEWARE__CONNECTIONLIMIT__MAXCONNECTIONS</c> and so on).
/// </summary>
public static class RapMiddlewareSections
{
    /// <summary>The root section.</summary>
    public const string Root = "OrleansRpc:Middleware";

    /// <summary>How refused connections are ended (<c>RapRefusalOptions</c>).</summary>
    public const string Refusal = Root + ":Refusal";

    /// <summary>rap's ConnLimitMiddleware (<c>RapConnectionLimitOptions</c>).</summary>
    public const string ConnectionLimit = Root + ":ConnectionLimit";

    /// <summary>rap's IpMaxConnMiddleware (<c>RapIpConnectionLimitOptions</c>).</summary>
    public const string IpConnectionLimit = Root + ":IpConnectionLimit";

    /// <summary>rap's IpFilterMiddleware (<c>RapIpFilterOptions</c>).</summary>
    public const string IpFilter = Root + ":IpFilter";

    /// <summary>rap's CryptoProcessor (<c>RapCryptoOptions</c>).</summary>
    public const string Crypto = Root + ":Crypto";

    /// <summary>rap's LimitProcessor (<c>RapRateLimitOptions</c>).</summary>
    public const string RateLimit = Root + ":RateLimit";

    /// <summary>Access log, metrics, tracing and OpenTelemetry export (<c>RapTelemetryOptions</c>).</summary>
    public const string Telemetry = Root + ":Telemetry";
}
