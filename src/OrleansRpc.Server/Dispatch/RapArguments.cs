using System.Buffers;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Connections;

namespace OrleansRpc.Server;

/// <summary>
/// The raw msgpack arguments of a call, as the gateway received them. The bytes are not copied: they must stay
/// valid until the dispatcher's returned task completes (or, for generators, until the stream has started).
/// </summary>
public readonly struct RapArguments
{
    private RapArguments(RapVersion version, ReadOnlySequence<byte> primary, ReadOnlySequence<byte> defaults, bool hasDefaults)
    {
        Version = version;
        Primary = primary;
        Defaults = defaults;
        HasDefaults = hasDefaults;
    }

    public RapVersion Version { get; }

    /// <summary>HEAD: the body map. 0.5.3.8: the <c>param</c> array (empty sequence: none sent).</summary>
    public ReadOnlySequence<byte> Primary { get; }

    /// <summary>0.5.3.8: the <c>default_param</c> map.</summary>
    public ReadOnlySequence<byte> Defaults { get; }

    public bool HasDefaults { get; }

    /// <summary>HEAD: the request body (a map of parameter name → value).</summary>
    public static RapArguments Head(ReadOnlySequence<byte> body) => new(RapVersion.Head, body, default, false);

    public static RapArguments Head(ReadOnlyMemory<byte> body) => Head(new ReadOnlySequence<byte>(body));

    /// <summary>0.5.3.8: the raw <c>param</c> array and <c>default_param</c> map (either may be empty when absent).</summary>
    public static RapArguments Legacy(ReadOnlySequence<byte> param, ReadOnlySequence<byte> defaultParam)
        => new(RapVersion.V0538, param, defaultParam, !defaultParam.IsEmpty);

    /// <summary>The arguments of a call the protocol layer decoded (HEAD: the body map; 0.5.3.8: param and default_param).</summary>
    public static RapArguments From(in RapCallRequest request)
        => request.Version == RapVersion.Head ? Head(request.Keywords) : Legacy(request.Positional, request.Keywords);
}
