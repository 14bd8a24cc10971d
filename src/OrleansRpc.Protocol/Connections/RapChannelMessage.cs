using System.Buffers;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Protocol.Connections;

/// <summary>A client channel MSG (for HEAD generators the first one carries the parameter map).</summary>
public readonly struct RapChannelMessage
{
    internal RapChannelMessage(long token, RapHeader header, ReadOnlySequence<byte> body)
    {
        Token = token;
        Header = header;
        Body = body;
    }

    /// <summary>The channel.</summary>
    public long Token { get; }

    /// <summary>The frame header (user header keys included).</summary>
    public RapHeader Header { get; }

    /// <summary>The message (raw msgpack, valid only during the callback).</summary>
    public ReadOnlySequence<byte> Body { get; }
}
