using System.Buffers;

namespace OrleansRpc.Protocol.Frames;

/// <summary>
/// One decoded frame of either generation. HEAD: <c>[msg_type, correlation_id, header, body]</c>;
/// v0.5.3.8: <c>[num, msg_id, group, func_name, header, body]</c>.
/// </summary>
/// <remarks>
/// <see cref="Body"/> is the raw msgpack of the body, a slice of the buffer the frame was decoded from:
/// it is only valid as long as that buffer is. Nothing in the body is decoded here.
/// </remarks>
public readonly struct RapFrame
{
    /// <summary>Creates a HEAD frame.</summary>
    public RapFrame(int messageType, long id, RapHeader header, ReadOnlySequence<byte> body)
    {
        Version = RapVersion.Head;
        MessageType = messageType;
        Id = id;
        Header = header ?? throw new ArgumentNullException(nameof(header));
        Body = body;
    }

    /// <summary>Creates a v0.5.3.8 frame.</summary>
    public RapFrame(int messageType, long id, string group, string functionName, RapHeader header, ReadOnlySequence<byte> body)
    {
        Version = RapVersion.V0538;
        MessageType = messageType;
        Id = id;
        Group = group ?? throw new ArgumentNullException(nameof(group));
        FunctionName = functionName ?? throw new ArgumentNullException(nameof(functionName));
        Header = header ?? throw new ArgumentNullException(nameof(header));
        Body = body;
    }

    /// <summary>The generation (decides the layout).</summary>
    public RapVersion Version { get; }

    /// <summary>HEAD <c>msg_type</c> or v0.5.3.8 <c>num</c>.</summary>
    public int MessageType { get; }

    /// <summary>HEAD <c>correlation_id</c> or v0.5.3.8 <c>msg_id</c>.</summary>
    public long Id { get; }

    /// <summary>v0.5.3.8 group; <see langword="null"/> for HEAD (use <see cref="RapHeader.Target"/>).</summary>
    public string? Group { get; }

    /// <summary>v0.5.3.8 func_name; <see langword="null"/> for HEAD.</summary>
    public string? FunctionName { get; }

    /// <summary>The header map.</summary>
    public RapHeader Header { get; }

    /// <summary>The raw msgpack bytes of the body value.</summary>
    public ReadOnlySequence<byte> Body { get; }
}
