using Orleans;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;

namespace OrleansRpc.Server;

/// <summary>
/// The facts of one client connection that a function may read (its id, peer, generation, locality and HEAD's
/// DECLARE metadata). Immutable and built once per connection by the gateway, so a call carries a reference to it
/// rather than a copy of each fact.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansrpc.caller")]
public sealed class RapCaller
{
    internal static readonly IReadOnlyDictionary<string, MessagePackValue> NoMetadata = new Dictionary<string, MessagePackValue>();

    /// <summary>The gateway's connection id (HEAD's <c>conn_id</c>).</summary>
    [Id(0)]
    public required string ConnectionId { get; init; }

    [Id(1)]
    public string PeerHost { get; init; } = string.Empty;

    [Id(2)]
    public int PeerPort { get; init; }

    [Id(3)]
    public RapVersion Version { get; init; }

    /// <summary>The peer counts as local for private functions.</summary>
    [Id(4)]
    public bool IsLocalPeer { get; init; }

    /// <summary>HEAD: the DECLARE's <c>metadata</c> map; null when empty.</summary>
    [Id(5)]
    public Dictionary<string, MessagePackValue>? Metadata { get; init; }

    /// <summary>The caller facts of <paramref name="context"/> (the gateway caches the result per connection).</summary>
    public static RapCaller For(RapCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new RapCaller
        {
            ConnectionId = context.ConnectionId,
            PeerHost = context.Peer.Host ?? string.Empty,
            PeerPort = context.Peer.Port,
            Version = context.Version,
            IsLocalPeer = context.IsLocalPeer,
            Metadata = context.Metadata.Count == 0 ? null : new Dictionary<string, MessagePackValue>(context.Metadata),
        };
    }
}
