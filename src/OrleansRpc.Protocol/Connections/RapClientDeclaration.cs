using OrleansRpc.MessagePack;

namespace OrleansRpc.Protocol.Connections;

/// <summary>
/// What a HEAD client declared about itself in its connection handshake (<c>/_event/DECLARE</c>, §2.7 b): one
/// immutable instance per connection, shared by every call on it (no per-call copies). The values own their data
/// (copied out of the received frame).
/// </summary>
public sealed class RapClientDeclaration
{
    private static readonly IReadOnlyDictionary<string, MessagePackValue> s_empty = new Dictionary<string, MessagePackValue>();

    internal RapClientDeclaration(MessagePackValue clientInfo, MessagePackValue metadata)
    {
        ClientInfo = clientInfo;
        Metadata = metadata;
        MetadataEntries = ToDictionary(metadata);
    }

    /// <summary>The <c>client_info</c> map (<c>host</c>, <c>version</c>, <c>user_agent</c>).</summary>
    public MessagePackValue ClientInfo { get; }

    /// <summary>The application's <c>metadata</c> value as sent (rap clients send a map, <c>{}</c> by default).</summary>
    public MessagePackValue Metadata { get; }

    /// <summary>
    /// The str-keyed entries of <see cref="Metadata"/> (empty when it is not a map); on a duplicate key the last wins,
    /// as in the Python dict the client built it from.
    /// </summary>
    public IReadOnlyDictionary<string, MessagePackValue> MetadataEntries { get; }

    private static IReadOnlyDictionary<string, MessagePackValue> ToDictionary(MessagePackValue metadata)
    {
        if (metadata.Kind != MessagePackValueKind.Map || metadata.Count == 0)
        {
            return s_empty;
        }

        var entries = new Dictionary<string, MessagePackValue>(metadata.Count, StringComparer.Ordinal);
        foreach (var (key, value) in metadata.AsMap())
        {
            // bin keys (Python bytes) have no string name; a Python client sends str keys for dict[str, ...].
            if (key.IsString)
            {
                entries[key.AsString()] = value;
            }
        }

        return entries.Count == 0 ? s_empty : entries;
    }
}
