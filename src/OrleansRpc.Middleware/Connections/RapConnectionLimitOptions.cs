namespace OrleansRpc.Middleware.Connections;

/// <summary>rap's <c>ConnLimitMiddleware(max_conn, block_time)</c>: at most <see cref="MaxConnections"/> connections.</summary>
public sealed class RapConnectionLimitOptions
{
    /// <summary>The configuration section (below <c>OrleansRpc:Middleware</c>).</summary>
    public const string SectionName = "ConnectionLimit";

    /// <summary>Most connections served at once; the next one is refused and starts the block. rap default 1024.</summary>
    public int MaxConnections { get; set; } = 1024;

    /// <summary>After a refusal every new connection is refused for this long. rap default 30 s.</summary>
    public TimeSpan BlockTime { get; set; } = TimeSpan.FromSeconds(30);
}
