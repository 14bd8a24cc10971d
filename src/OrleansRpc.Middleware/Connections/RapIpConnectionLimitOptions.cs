namespace OrleansRpc.Middleware.Connections;

/// <summary>rap's <c>IpMaxConnMiddleware(ip_max_conn, timeout)</c>: at most so many connections per client IP.</summary>
public sealed class RapIpConnectionLimitOptions
{
    /// <summary>The configuration section (below <c>OrleansRpc:Middleware</c>).</summary>
    public const string SectionName = "IpConnectionLimit";

    /// <summary>Most connections one IP address may have open. rap default 128.</summary>
    public int MaxConnectionsPerIp { get; set; } = 128;

    /// <summary>
    /// The statistics window: an address's counter is kept this long after its last change, then forgotten (rap: the
    /// Redis key's expiry). rap default 180 s.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(180);
}
