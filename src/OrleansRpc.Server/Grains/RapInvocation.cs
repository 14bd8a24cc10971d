using System.Buffers;
using Orleans;

namespace OrleansRpc.Server;

/// <summary>
/// One call as it crosses the grain boundary: the target, the protocol generation, the raw msgpack arguments, the
/// caller's facts a function may read and the deadline. Immutable: inside a silo Orleans hands the same object to
/// the grain without copying it (measured 1.7 µs a call with <c>[Immutable]</c> bytes); between silos it is
/// serialized once. The gateway builds it; the grain binds the arguments with the function's compiled invoker.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansrpc.invocation")]
public sealed class RapInvocation
{
    /// <summary>The function's group (also the function-group grain's key).</summary>
    [Id(0)]
    public required string Group { get; init; }

    /// <summary>The function's name.</summary>
    [Id(1)]
    public required string Name { get; init; }

    /// <summary>
    /// The raw arguments: HEAD, the body map; 0.5.3.8, the <c>param</c> array followed by the <c>default_param</c>
    /// map (split at <see cref="PositionalLength"/>).
    /// </summary>
    [Id(2)]
    public required byte[] Arguments { get; init; }

    /// <summary>0.5.3.8: how many leading bytes of <see cref="Arguments"/> are the <c>param</c> array (0: none sent).</summary>
    [Id(3)]
    public int PositionalLength { get; init; }

    /// <summary>Who called, over which connection (one object per connection, shared by its calls).</summary>
    [Id(4)]
    public required RapCaller Caller { get; init; }

    /// <summary>The request header (channels and generators: the DECLARE's header).</summary>
    [Id(5)]
    public Protocol.Frames.RapHeader? Header { get; init; }

    /// <summary>HEAD <c>X-rap-deadline</c> in UTC ticks; 0 when the client sent none.</summary>
    [Id(6)]
    public long DeadlineUtcTicks { get; init; }

    /// <summary>The session key of this call (0.5.3.8 <c>session_id</c>; HEAD: the connection id), or null.</summary>
    [Id(7)]
    public string? SessionId { get; init; }

    /// <summary>
    /// The caller's token (client gone, shutdown), seen only by a grain in the gateway's own silo: Orleans passes an
    /// immutable argument there by reference, and it is not serialized to another silo. Orleans cancels a call through
    /// its grain id, and a stateless worker's cancellation reaches an arbitrary worker of the group, not necessarily the
    /// one running the call; stateless workers are always activated on the calling silo, so this token covers them.
    /// </summary>
    [field: NonSerialized]
    public CancellationToken CallerToken { get; init; }

    /// <summary>The arguments as the binder reads them.</summary>
    internal RapArguments GetArguments()
    {
        if (Caller.Version == Protocol.RapVersion.Head)
        {
            return RapArguments.Head(new System.Buffers.ReadOnlySequence<byte>(Arguments));
        }

        var positional = new System.Buffers.ReadOnlySequence<byte>(Arguments, 0, PositionalLength);
        var keywords = new System.Buffers.ReadOnlySequence<byte>(Arguments, PositionalLength, Arguments.Length - PositionalLength);
        return RapArguments.Legacy(positional, keywords);
    }

    /// <summary>The call context the function sees inside the grain.</summary>
    internal RapCallContext CreateContext() => new()
    {
        Version = Caller.Version,
        ConnectionId = Caller.ConnectionId,
        Peer = new Protocol.Connections.RapPeer(Caller.PeerHost, Caller.PeerPort),
        IsLocalPeer = Caller.IsLocalPeer,
        Header = Header,
        Metadata = Caller.Metadata ?? RapCaller.NoMetadata,
        SessionId = SessionId,
        Deadline = DeadlineUtcTicks == 0 ? null : new DateTimeOffset(DeadlineUtcTicks, TimeSpan.Zero),
    };

    /// <summary>The invocation of a call the gateway resolved (copies the arguments out of the receive buffer).</summary>
    public static RapInvocation Create(RapFunctionDescriptor function, RapCallContext context, RapArguments arguments, CancellationToken callerToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(context);
        int positional = 0;
        byte[] bytes;
        if (arguments.Version == Protocol.RapVersion.Head)
        {
            bytes = arguments.Primary.ToArray();
        }
        else
        {
            positional = checked((int)arguments.Primary.Length);
            bytes = GC.AllocateUninitializedArray<byte>(positional + checked((int)arguments.Defaults.Length));
            arguments.Primary.CopyTo(bytes);
            arguments.Defaults.CopyTo(bytes.AsSpan(positional));
        }

        return new RapInvocation
        {
            Group = function.Group,
            Name = function.Name,
            Arguments = bytes,
            PositionalLength = positional,
            Caller = context.Caller ?? RapCaller.For(context),
            Header = context.Header,
            DeadlineUtcTicks = context.Deadline is { } deadline ? deadline.UtcTicks : 0,
            SessionId = context.SessionId,
            CallerToken = callerToken,
        };
    }
}
