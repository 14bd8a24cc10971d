using System.Buffers;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Protocol.Connections;

/// <summary>
/// "Call this function with these arguments": a call (or, v0.5.3.8, a generator step) handed to the application.
/// Answer it exactly once through the connection with <see cref="Token"/>.
/// </summary>
/// <remarks>
/// <see cref="Positional"/> and <see cref="Keywords"/> are raw msgpack slices of the received bytes; they are valid
/// only during the callback — copy them if the function runs later.
/// </remarks>
public readonly struct RapCallRequest
{
    internal RapCallRequest(long token, RapVersion version, long id, string group, string name, RapHeader header,
        ReadOnlySequence<byte> positional, ReadOnlySequence<byte> keywords, long generatorId, DateTimeOffset? deadline, bool encrypted)
    {
        Token = token;
        Version = version;
        Id = id;
        Group = group;
        Name = name;
        Header = header;
        Positional = positional;
        Keywords = keywords;
        GeneratorId = generatorId;
        Deadline = deadline;
        IsEncrypted = encrypted;
    }

    /// <summary>Identifies the call in the answer methods.</summary>
    public long Token { get; }

    /// <summary>The connection's generation.</summary>
    public RapVersion Version { get; }

    /// <summary>The wire id (HEAD correlation id / v0.5.3.8 msg_id), for logging.</summary>
    public long Id { get; }

    /// <summary>Function group.</summary>
    public string Group { get; }

    /// <summary>Function name.</summary>
    public string Name { get; }

    /// <summary>The request header (user headers included).</summary>
    public RapHeader Header { get; }

    /// <summary>v0.5.3.8 <c>param</c> array (raw msgpack); empty for HEAD.</summary>
    public ReadOnlySequence<byte> Positional { get; }

    /// <summary>HEAD: the parameter map (the whole body); v0.5.3.8: the <c>default_param</c> map. Raw msgpack.</summary>
    public ReadOnlySequence<byte> Keywords { get; }

    /// <summary>v0.5.3.8: the generator this step continues (from <c>call_id</c>), 0 for a new call.</summary>
    public long GeneratorId { get; }

    /// <summary>HEAD <c>X-rap-deadline</c> when present and still in the future.</summary>
    public DateTimeOffset? Deadline { get; }

    /// <summary>Whether the body arrived encrypted (the answer will be encrypted too).</summary>
    public bool IsEncrypted { get; }
}
