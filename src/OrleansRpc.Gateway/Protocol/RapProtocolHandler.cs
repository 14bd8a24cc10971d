using System.Buffers;
using Microsoft.Extensions.Logging;
using OrleansRpc.Gateway.Connections;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Connections;
using OrleansRpc.Protocol.Crypto;
using OrleansRpc.Protocol.Frames;
using OrleansRpc.Server;

namespace OrleansRpc.Gateway.Protocol;

/// <summary>
/// One connection's bridge between the socket (<see cref="RapConnection"/>), the sans-IO protocol state machine
/// (<see cref="RapServerConnection"/>: detection, both generations, pings, crypto) and the server's
/// <see cref="RapDispatcher"/> (functions, generators, channels). Protocol callbacks run inside the state
/// machine's lock and never block: work starts on the thread pool and answers come back through the state
/// machine, whose output is moved to the connection's serialized writer.
/// </summary>
internal sealed partial class RapProtocolHandler : IRapFrameHandler, IRapConnectionHandler
{
    // Set while a state-machine callback runs (the state machine's lock is held): output is then moved by the
    // entry point that made the callback, never from inside, so the output lock is never taken under that lock.
    [ThreadStatic]
    private static int t_callbackDepth;

    private static readonly IReadOnlyDictionary<string, MessagePackValue> s_noMetadata = new Dictionary<string, MessagePackValue>();

    private readonly RapConnection _connection;
    private readonly RapDispatcher _dispatcher;
    private readonly RapServerConnection _protocol;
    private readonly RapConnectionTimer _timer;
    private readonly bool _isLocalPeer;
    private readonly ILogger _logger;
    private RapCaller? _caller;
    private bool _usedHeadSession;
    private IReadOnlyDictionary<string, MessagePackValue>? _callerMetadata;

    public RapProtocolHandler(
        RapConnection connection,
        RapDispatcher dispatcher,
        RapConnectionOptions options,
        INonceStore nonces,
        RapPeer peer,
        bool isLocalPeer,
        ILogger logger)
    {
        _connection = connection;
        _dispatcher = dispatcher;
        _isLocalPeer = isLocalPeer;
        _logger = logger;
        _protocol = new RapServerConnection(this, options, connection.TimeProvider, peer, nonces);
        _timer = new RapConnectionTimer(connection.TimeProvider, OnTimerFired);
        _protocol.Start(); // sends nothing: the client speaks first (§5)
        AfterProtocolCall();
    }

    public void OnFrame(in ReadOnlySequence<byte> frame)
    {
        _protocol.Receive(frame);
        AfterProtocolCall();
    }

    public void OnDrain(TimeSpan drainTimeout)
    {
        _protocol.Shutdown(drainTimeout);
        AfterProtocolCall();
    }

    public void OnClosed()
    {
        _protocol.OnInputCompleted(); // ends the state machine (no-op when it already ended) and cancels everything
        _timer.Dispose();
        FlushBatch(); // calls read before a malformed frame still end (cancelled with the connection)
        if (_usedHeadSession)
        {
            _ = _dispatcher.EndSessionAsync(_protocol.ConnectionId);
        }
    }

    /// <summary>HEAD: a call, generator or channel of this connection ran in its session grain (key = connection id).</summary>
    private void NoteSession(RapFunctionDescriptor function, RapCallContext context)
    {
        if (function.UsesSession && context.Version == RapVersion.Head)
        {
            _usedHeadSession = true;
        }
    }

    public void OnOutputAvailable(RapServerConnection connection)
    {
        if (t_callbackDepth == 0)
        {
            AfterProtocolCall();
        }
    }

    public void OnConnectionClosed(RapServerConnection connection, RapConnectionCloseReason reason)
    {
        t_callbackDepth++;
        try
        {
            GatewayLog.ProtocolClosed(_logger, _connection.ConnectionId, connection.CloseDetail is { } detail ? $"{reason}: {detail}" : reason.ToString());
            AbortAll();
        }
        finally
        {
            t_callbackDepth--;
        }
    }

    private void OnTimerFired()
    {
        _timer.MarkFired();
        try
        {
            _protocol.OnTimer();
            AfterProtocolCall();
        }
        catch (Exception ex)
        {
            GatewayLog.HandlerFailed(_logger, _connection.ConnectionId, ex);
            _connection.Close("timer failure");
        }
    }

    /// <summary>Moves queued frames to the writer, closes the socket once the state machine ended, re-arms the timer.</summary>
    private void AfterProtocolCall()
    {
        if (_protocol.HasPendingOutput)
        {
            _connection.Output.WriteDirect(_protocol, static (buffer, protocol) => protocol.DrainOutput(buffer));
        }

        if (_protocol.IsClosed)
        {
            _connection.Close(CloseText(_protocol.CloseReason));
            return;
        }

        _timer.ScheduleAt(_protocol.NextTimerDue);
    }

    private static string CloseText(RapConnectionCloseReason? reason) => reason switch
    {
        RapConnectionCloseReason.ClientClosed => "client closed",
        RapConnectionCloseReason.UnknownProtocol => "unknown protocol",
        RapConnectionCloseReason.ProtocolError => "protocol error",
        RapConnectionCloseReason.IllegalRequest => "illegal request",
        RapConnectionCloseReason.MalformedInput => "malformed input",
        RapConnectionCloseReason.PongTimeout => "recv pong timeout",
        RapConnectionCloseReason.IdleTimeout => "keep alive timeout",
        RapConnectionCloseReason.ClientCloseEvent => "client close event",
        RapConnectionCloseReason.ServerClosed => "closed by the server",
        RapConnectionCloseReason.Shutdown => "server shutdown",
        _ => "closed",
    };

    private RapCallContext CreateContext(RapVersion version, RapHeader? header, DateTimeOffset? deadline) => new()
    {
        Caller = Caller(version),
        ConnectionId = _protocol.ConnectionId,
        Peer = _protocol.Peer,
        Version = version,
        Header = header,
        SessionId = version == RapVersion.Head ? _protocol.ConnectionId : header?.SessionId,
        Deadline = deadline,
        IsLocalPeer = _isLocalPeer,

        // HEAD's DECLARE metadata: one dictionary per connection, shared by its calls (empty before DECLARE and for 0.5.3.8).
        Metadata = _protocol.ClientDeclaration?.MetadataEntries ?? s_noMetadata,
    };

    /// <summary>
    /// The connection's facts as they cross into the grains: built once per connection (and again if the generation or
    /// the DECLARE metadata it was built from changes), so a call carries a reference instead of copies.
    /// </summary>
    private RapCaller Caller(RapVersion version)
    {
        IReadOnlyDictionary<string, MessagePackValue> metadata = _protocol.ClientDeclaration?.MetadataEntries ?? s_noMetadata;
        if (_caller is { } cached && cached.Version == version && ReferenceEquals(_callerMetadata, metadata))
        {
            return cached;
        }

        var caller = new RapCaller
        {
            ConnectionId = _protocol.ConnectionId,
            PeerHost = _protocol.Peer.Host ?? string.Empty,
            PeerPort = _protocol.Peer.Port,
            Version = version,
            IsLocalPeer = _isLocalPeer,
            Metadata = metadata.Count == 0 ? null : new Dictionary<string, MessagePackValue>(metadata),
        };
        _callerMetadata = metadata;
        _caller = caller;
        return caller;
    }

    /// <summary>Answers a call with a failed <see cref="RapCallResult"/> (rap status or function exception).</summary>
    private void Fail(long token, in RapCallResult result)
    {
        if (result.Outcome == RapCallOutcome.FunctionError)
        {
            _protocol.FailCallWithException(token, result.ExceptionName ?? "Exception", result.Message ?? string.Empty);
        }
        else
        {
            _protocol.FailCall(token, result.ErrorKind, result.Message ?? string.Empty);
        }
    }
}
