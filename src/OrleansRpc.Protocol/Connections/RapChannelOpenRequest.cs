using System.Buffers;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Protocol.Connections;

/// <summary>
/// "Open this channel": a channel DECLARE (HEAD async generators arrive this way too). Answer with
/// <see cref="RapServerConnection.AcceptChannel"/> or <see cref="RapServerConnection.RejectChannel"/>.
/// </summary>
public readonly struct RapChannelOpenRequest
{
    internal RapChannelOpenRequest(long token, RapVersion version, long id, string group, string name, RapHeader header, ReadOnlySequence<byte> metadata)
    {
        Token = token;
        Id = id;
        Version = version;
        Group = group;
        Name = name;
        Header = header;
        Metadata = metadata;
    }

    /// <summary>Identifies the channel in later calls.</summary>
    public long Token { get; }

    /// <summary>HEAD: the DECLARE's correlation id (all frames of the channel carry it); v0.5.3.8: −1 (see <see cref="RapHeader.ChannelId"/>).</summary>
    public long Id { get; }

    /// <summary>The connection's generation.</summary>
    public RapVersion Version { get; }

    /// <summary>Function group.</summary>
    public string Group { get; }

    /// <summary>Function name.</summary>
    public string Name { get; }

    /// <summary>The DECLARE header.</summary>
    public RapHeader Header { get; }

    /// <summary>The DECLARE body (HEAD metadata map, v0.5.3.8 nil); raw msgpack valid only during the callback.</summary>
    public ReadOnlySequence<byte> Metadata { get; }
}
