namespace OrleansRpc.Middleware.IpFiltering;

/// <summary>rap's <c>IpFilterMiddleware(allow_ip_list, block_ip_list)</c>: addresses and CIDR ranges, IPv4 and IPv6.</summary>
public sealed class RapIpFilterOptions
{
    /// <summary>The configuration section (below <c>OrleansRpc:Middleware</c>).</summary>
    public const string SectionName = "IpFilter";

    /// <summary>When not empty only these peers may connect, and <see cref="BlockList"/> is not consulted (rap's rule).</summary>
    public IList<string> AllowList { get; } = [];

    /// <summary>Peers that may not connect (used while <see cref="AllowList"/> is empty).</summary>
    public IList<string> BlockList { get; } = [];
}
