using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Connections;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Server;

/// <summary>
/// What user code may know about the call it serves. Inject it as a parameter or read
/// <see cref="Current"/>. The gateway fills the connection facts; the dispatcher sets the function,
/// the session and the <see cref="CancellationToken"/> (client gone, run timeout or shutdown).
/// A context belongs to one call (or one channel / generator run) and must not be shared.
/// </summary>
public sealed class RapCallContext
{
    private static readonly AsyncLocal<RapCallContext?> s_current = new();

    // A synchronous function runs start to end on one thread: a thread-static slot serves it without the
    // AsyncLocal's per-call ExecutionContext copy.
    [ThreadStatic]
    private static RapCallContext? t_synchronous;
    private static readonly IReadOnlyDictionary<string, MessagePackValue> s_empty = new Dictionary<string, MessagePackValue>();
    private long _deadlineUtcTicks;
    private short _deadlineOffsetMinutes;
    private bool _hasDeadline;

    /// <summary>
    /// The context of the call running on this async flow, or <see langword="null"/>. For a synchronous function, the
    /// context of the call running on this thread (tasks the function starts do not see it: pass it along).
    /// </summary>
    public static RapCallContext? Current
    {
        get => t_synchronous ?? s_current.Value;
        internal set => s_current.Value = value;
    }

    /// <summary>Makes <paramref name="context"/> the current one of this thread (synchronous code); returns the previous one.</summary>
    internal static RapCallContext? EnterThread(RapCallContext? context)
    {
        var previous = t_synchronous;
        t_synchronous = context;
        return previous;
    }

    /// <summary>Undoes <see cref="EnterThread"/>.</summary>
    internal static void ExitThread(RapCallContext? previous) => t_synchronous = previous;

    /// <summary>The gateway's connection id (HEAD's <c>conn_id</c>).</summary>
    public string ConnectionId { get; init; } = string.Empty;

    /// <summary>The peer as the server sees it.</summary>
    public RapPeer Peer { get; init; }

    /// <summary>The protocol generation of the connection.</summary>
    public RapVersion Version { get; init; } = RapVersion.Head;

    /// <summary>The request header (channel handlers: the DECLARE's header).</summary>
    public RapHeader? Header { get; init; }

    /// <summary>HEAD: the DECLARE's <c>metadata</c> map for the whole connection; empty for 0.5.3.8.</summary>
    public IReadOnlyDictionary<string, MessagePackValue> Metadata { get; init; } = s_empty;

    /// <summary>The session key: 0.5.3.8 <c>session_id</c> header, HEAD the connection id. Null: no session.</summary>
    public string? SessionId { get; init; }

    /// <summary>HEAD <c>X-rap-deadline</c> as an absolute time, when the client sent one.</summary>
    public DateTimeOffset? Deadline
    {
        get => _hasDeadline ? new DateTimeOffset(_deadlineUtcTicks, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(_deadlineOffsetMinutes)) : null;
        init
        {
            _hasDeadline = value.HasValue;
            _deadlineUtcTicks = value.GetValueOrDefault().UtcTicks;
            _deadlineOffsetMinutes = (short)value.GetValueOrDefault().TotalOffsetMinutes;
        }
    }

    /// <summary>The peer counts as local for private functions (the gateway decides; see <c>--private-remote</c>).</summary>
    public bool IsLocalPeer { get; init; }

    /// <summary>Fires when the client is gone, the run timeout expired or the server shuts down.</summary>
    public CancellationToken CancellationToken { get; internal set; }

    /// <summary>The function being served (set by the dispatcher).</summary>
    public RapFunctionDescriptor? Function { get; internal set; }

    /// <summary>
    /// The session's state, for functions, generators and channel handlers that take a <see cref="RapSession"/>
    /// parameter (they run in the session's grain); null elsewhere and without a session key.
    /// </summary>
    public RapSession? Session { get; internal set; }

    /// <summary>The connection facts as they cross the grain boundary (the gateway caches one per connection).</summary>
    internal RapCaller? Caller { get; init; }

    /// <summary>
    /// A context for a call the protocol layer decoded. The session key is the 0.5.3.8 <c>session_id</c> header, and
    /// for HEAD (which has no sessions on the wire) the connection id, so HEAD functions get per-connection state.
    /// </summary>
    public static RapCallContext ForCall(
        in RapCallRequest request, string connectionId, RapPeer peer, bool isLocalPeer, IReadOnlyDictionary<string, MessagePackValue>? metadata = null)
        => new()
        {
            Version = request.Version,
            ConnectionId = connectionId,
            Peer = peer,
            IsLocalPeer = isLocalPeer,
            Header = request.Header,
            Metadata = metadata ?? s_empty,
            SessionId = request.Version == RapVersion.Head ? connectionId : request.Header.SessionId,
            Deadline = request.Deadline,
        };

    /// <summary>A context for a channel DECLARE (see <see cref="ForCall"/> for the session key).</summary>
    public static RapCallContext ForChannel(
        in RapChannelOpenRequest request, string connectionId, RapPeer peer, bool isLocalPeer, IReadOnlyDictionary<string, MessagePackValue>? metadata = null)
        => new()
        {
            Version = request.Version,
            ConnectionId = connectionId,
            Peer = peer,
            IsLocalPeer = isLocalPeer,
            Header = request.Header,
            Metadata = metadata ?? s_empty,
            SessionId = request.Version == RapVersion.Head ? connectionId : request.Header.SessionId,
        };
}
