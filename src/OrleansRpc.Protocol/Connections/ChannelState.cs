using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Protocol.Connections;

/// <summary>One open (or opening) channel of a connection.</summary>
internal sealed class ChannelState
{
    public ChannelState(long token, long wireId, string? channelId, string group, string name, RapHeader header)
    {
        Token = token;
        WireId = wireId;
        ChannelId = channelId;
        Group = group;
        Name = name;
        Header = header;
    }

    public long Token { get; }

    /// <summary>HEAD: the DECLARE's correlation id.</summary>
    public long WireId { get; }

    /// <summary>v0.5.3.8: the <c>channel_id</c> header.</summary>
    public string? ChannelId { get; }

    public string Group { get; }

    public string Name { get; }

    /// <summary>The DECLARE header (v0.5.3.8 error answers copy it).</summary>
    public RapHeader Header { get; }

    public bool Accepted { get; set; }
}
