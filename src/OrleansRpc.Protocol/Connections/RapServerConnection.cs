using System.Buffers;
using System.Globalization;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Crypto;
using OrleansRpc.Protocol.Detection;
using OrleansRpc.Protocol.Errors;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Protocol.Connections;

/// <summary>
/// The protocol state machine of one rap connection, for both generations, independent of sockets ("sans-IO").
/// Feed it the received bytes (<see cref="Receive"/>), the end of input (<see cref="OnInputCompleted"/>) and time
/// (<see cref="OnTimer"/> at <see cref="NextTimerDue"/>); it asks the application (<see cref="IRapConnectionHandler"/>)
/// to run functions and channels, takes the answers (<see cref="CompleteCall(long, ReadOnlySpan{byte})"/>, ...) and
/// queues the frames to send (<see cref="DrainOutput"/>). Once <see cref="IsClosed"/> is true, send what is left in the
/// output and close the transport. Thread-safe: every member takes the connection's lock.
/// </summary>
public sealed partial class RapServerConnection
{
    private const string LegacyUserAgent = "Python3-0.5.3";
    private const string ProtocolVersionText = "0.1";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Id, string Secret), RapCryptoKey> s_sharedKeys = new();
    private static long s_connectionCounter;

    // Shared by the connections without crypto keys (never written).
    private static readonly Dictionary<string, RapCryptoKey> s_noKeys = new(StringComparer.Ordinal);

    /// <summary>
    /// How deep a frame may nest before it is refused as malformed (and the connection closed). Python's msgpack packer
    /// refuses to nest deeper than 511 levels, so no rap client sends more; a frame within this depth whose body nests
    /// deeper than values are decoded (<see cref="MessagePackReaderOptions.MaxDepth"/>, 64) is a call with bad
    /// parameters, answered with ParseError (HEAD 1002, v0.5.3.8 504), and the connection stays open.
    /// </summary>
    public const int MaxFrameDepth = 512;

    // Reader limits depend only on the frame limits: connections with the same limits share one (immutable) instance.
    private static MessagePackReaderOptions s_lastReaderOptions = new();
    private static MessagePackReaderOptions s_lastScanOptions = new() { MaxDepth = MaxFrameDepth };

    private readonly Lock _sync = new();
    private readonly IRapConnectionHandler _handler;
    private readonly RapConnectionOptions _options;
    private readonly TimeProvider _time;
    private INonceStore? _nonces;
    private readonly MessagePackReaderOptions _readerOptions;
    private readonly MessagePackReaderOptions _scanOptions;
    private readonly Dictionary<string, RapCryptoKey> _keys = s_noKeys;
    // Rented on the first frame written and returned when drained: idle connections hold no output buffer.
    private readonly RapOutputBuffer _output = new(1024);
    private readonly Dictionary<long, InFlightCall> _calls = [];
    private readonly Stack<InFlightCall> _callPool = new();

    // Channel and generator tables are created on first use: most connections only make calls, and 10 000 idle
    // connections should not hold 40 000 empty tables.
    private Dictionary<long, ChannelState>? _channelsByToken;
    private Dictionary<long, ChannelState>? _headChannels;
    private Dictionary<string, ChannelState>? _legacyChannels;
    private HashSet<long>? _generators;

    private long _nextToken;
    private long _nextGeneratorId;
    private int _nextServerId = 2;
    private bool _started;
    private bool _versionFromSilence;
    private bool _pinging;
    private bool _draining;
    private long _lastFrameAt;
    private long _lastPongAt;
    private long _nextPingAt;
    private long _silenceDeadline;
    private long _drainDeadline;
    private RapCryptoKey? _headKey;
    private volatile RapClientDeclaration? _clientDeclaration;
    private bool _outputSignal;
    private long _receivedBytes; // bytes of complete frames received so far (offsets in CloseDetail)
    private long _frameStart; // offset of the frame being handled
    private RapHeaderCache? _headerCache;

    /// <summary>Creates the state machine of one accepted connection.</summary>
    /// <param name="handler">The application side.</param>
    /// <param name="options">Settings (validated here).</param>
    /// <param name="timeProvider">Clock; the state machine has no timers of its own.</param>
    /// <param name="peer">The client's address as seen by the server.</param>
    /// <param name="nonceStore">Replay store for crypto nonces, shared by all connections (default: a private in-memory one).</param>
    /// <param name="cryptoKeys">Prepared keys (default: built from <see cref="RapConnectionOptions.CryptoKeys"/>).</param>
    public RapServerConnection(
        IRapConnectionHandler handler,
        RapConnectionOptions options,
        TimeProvider timeProvider,
        RapPeer peer,
        INonceStore? nonceStore = null,
        IReadOnlyDictionary<string, RapCryptoKey>? cryptoKeys = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        _handler = handler;
        _options = options;
        _time = timeProvider;
        Peer = peer;
        _nonces = nonceStore; // the private in-memory store is created when an envelope first arrives
        _readerOptions = ReaderOptionsFor(ref s_lastReaderOptions, options.MaxFrameBytes, options.MaxFrameElements, MessagePackReaderOptions.Default.MaxDepth);
        _scanOptions = ReaderOptionsFor(ref s_lastScanOptions, options.MaxFrameBytes, options.MaxFrameElements, MaxFrameDepth);
        if (cryptoKeys is { Count: > 0 })
        {
            _keys = new Dictionary<string, RapCryptoKey>(StringComparer.Ordinal);
            foreach (var (id, key) in cryptoKeys)
            {
                _keys[id] = key;
            }
        }
        else if (cryptoKeys is null && options.CryptoKeys.Count > 0)
        {
            _keys = new Dictionary<string, RapCryptoKey>(StringComparer.Ordinal);
            foreach (var (id, secret) in options.CryptoKeys)
            {
                // Keys are immutable and thread-safe: share one instance (and its AES object) per (id, secret).
                _keys[id] = s_sharedKeys.GetOrAdd((id, secret), static k => new RapCryptoKey(k.Id, k.Secret));
            }
        }

        ConnectionId = NewConnectionId(timeProvider.GetUtcNow());
    }

    /// <summary>The HEAD <c>conn_id</c> (a decimal string, unique per process).</summary>
    public string ConnectionId { get; }

    /// <summary>The client's address.</summary>
    public RapPeer Peer { get; }

    /// <summary>The detected generation; <see langword="null"/> until the first frame (or the silence threshold).</summary>
    public RapVersion? Version { get; private set; }

    /// <summary>
    /// HEAD: what the client declared in its accepted DECLARE handshake (<c>client_info</c>, application
    /// <c>metadata</c>), the same instance for every later call and channel; <see langword="null"/> before it and for
    /// 0.5.3.8. A repeated DECLARE replaces it for requests that follow.
    /// </summary>
    public RapClientDeclaration? ClientDeclaration => _clientDeclaration;

    /// <summary>Whether the connection has ended; send the remaining output, then close the transport.</summary>
    public bool IsClosed { get; private set; }

    /// <summary>
    /// What was wrong when the connection ended for a structural protocol error (the kind, the frame's byte offset in
    /// the stream, and the limit or value concerned), for the transport's log: <see cref="CloseReason"/> alone says only
    /// "protocol error". <see langword="null"/> otherwise.
    /// </summary>
    public string? CloseDetail { get; private set; }

    /// <summary>Why it ended, once <see cref="IsClosed"/>.</summary>
    public RapConnectionCloseReason? CloseReason { get; private set; }

    /// <summary>Calls currently waiting for the application's answer.</summary>
    public int InFlightCallCount
    {
        get
        {
            lock (_sync)
            {
                return _calls.Count;
            }
        }
    }

    /// <summary>Open or opening channels.</summary>
    public int ChannelCount
    {
        get
        {
            lock (_sync)
            {
                return _channelsByToken?.Count ?? 0;
            }
        }
    }

    /// <summary>Whether frames wait in the output.</summary>
    public bool HasPendingOutput
    {
        get
        {
            lock (_sync)
            {
                return _output.WrittenCount > 0;
            }
        }
    }

    /// <summary>Whether a pooled output or scratch array is held (false once drained: idle connections hold none).</summary>
    internal bool HoldsOutputBuffer
    {
        get
        {
            lock (_sync)
            {
                return _output.HoldsBuffer || _scratch.HoldsBuffer;
            }
        }
    }

    /// <summary>
    /// When <see cref="OnTimer"/> must be called next (absolute, in <see cref="TimeProvider.GetUtcNow"/> terms), or
    /// <see langword="null"/> when no timer is due (before <see cref="Start"/> or after close).
    /// </summary>
    public DateTimeOffset? NextTimerDue
    {
        get
        {
            lock (_sync)
            {
                var due = NextDueTicks();
                return due == long.MaxValue ? null : new DateTimeOffset(due, TimeSpan.Zero);
            }
        }
    }

    /// <summary>Call once when the connection is accepted: starts the silence and idle clocks. Sends nothing (§5).</summary>
    public void Start()
    {
        lock (_sync)
        {
            if (_started)
            {
                return;
            }

            _started = true;
            var now = Now();
            _lastFrameAt = now;
            _lastPongAt = now;
            _silenceDeadline = now + _options.LegacySilenceThreshold.Ticks;
        }
    }

    /// <summary>
    /// Consumes every complete frame in <paramref name="input"/> and returns the position up to which it was consumed
    /// (a trailing partial frame stays for the next call, together with more bytes).
    /// </summary>
    public SequencePosition Receive(in ReadOnlySequence<byte> input)
    {
        var consumed = input.Start;
        var nested = _sync.IsHeldByCurrentThread;
        var signal = false;
        lock (_sync)
        {
            if (!_started)
            {
                throw new InvalidOperationException("Call Start() first.");
            }

            // One clock read per read batch: frames that arrived together share their arrival time.
            var now = Now();
            var remaining = input;
            while (!IsClosed && !remaining.IsEmpty)
            {
                MessagePackFrameStatus status;
                SequencePosition end;
                try
                {
                    status = MessagePackFrameReader.TryReadNext(remaining, _scanOptions, out end);
                }
                catch (MessagePackSerializationException ex)
                {
                    // Undecodable bytes or a frame over the limit: there is no way to resynchronise (§2.14, §3.14).
                    CloseDetail = ex is MessagePackLimitExceededException limit
                        ? $"frame at byte {_receivedBytes}: {limit.Limit} is {limit.LimitValue}, the frame declared {limit.ActualValue}"
                        : $"frame at byte {_receivedBytes}: {ex.Message}";
                    CloseWithProtocolErrorIfKnown(RapConnectionCloseReason.MalformedInput);
                    break;
                }

                if (status == MessagePackFrameStatus.NeedMoreData)
                {
                    break;
                }

                var frame = remaining.Slice(0, end);
                remaining = remaining.Slice(end);
                consumed = end;
                _frameStart = _receivedBytes;
                _receivedBytes += frame.Length;
                HandleFrame(frame, now);
            }

            if (IsClosed)
            {
                consumed = input.End;
            }

            // Taken here rather than by SignalOutput, which would take the lock a second time per read.
            signal = !nested && TakeOutputSignal();
        }

        if (signal)
        {
            _handler.OnOutputAvailable(this);
        }

        return consumed;
    }

    /// <summary>The client closed its side: drops everything of the connection (§2.7 h).</summary>
    public void OnInputCompleted()
    {
        lock (_sync)
        {
            Terminate(RapConnectionCloseReason.ClientClosed);
        }

        SignalOutput();
    }

    /// <summary>Runs the due timers: legacy silence detection, server pings, pong and idle timeouts, shutdown end.</summary>
    public void OnTimer()
    {
        try
        {
            OnTimerCore();
        }
        finally
        {
            SignalOutput();
        }
    }

    private void OnTimerCore()
    {
        lock (_sync)
        {
            if (!_started || IsClosed)
            {
                return;
            }

            var now = Now();
            if (Version is null && now >= _silenceDeadline)
            {
                // §5 step 3: a silent client is a v0.5.3.8 client; a HEAD client would have sent DECLARE by now.
                Version = RapVersion.V0538;
                _versionFromSilence = true;
                StartPinging(now);
            }

            if (_draining && now >= _drainDeadline)
            {
                // Every call read and not answered yet gets an answer before the connection ends.
                FailCallsForShutdown();
                Terminate(RapConnectionCloseReason.Shutdown);
                return;
            }

            if (now - _lastFrameAt >= _options.IdleTimeout.Ticks)
            {
                CloseWithEvent(RapErrorMessages.KeepAliveTimeout, RapConnectionCloseReason.IdleTimeout);
                return;
            }

            if (_pinging)
            {
                if (now - _lastPongAt > _options.PongTimeout.Ticks)
                {
                    CloseWithEvent(RapErrorMessages.PongTimeout, RapConnectionCloseReason.PongTimeout);
                    return;
                }

                if (now >= _nextPingAt)
                {
                    WritePing();
                    _nextPingAt = now + _options.PingInterval.Ticks;
                }
            }
        }
    }

    /// <summary>Moves every queued output byte into <paramref name="destination"/>; returns the number of bytes.</summary>
    public int DrainOutput(IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        lock (_sync)
        {
            var count = _output.WrittenCount;
            if (count > 0)
            {
                destination.Write(_output.WrittenSpan);
            }

            _output.Release();
            _scratch.Release();
            return count;
        }
    }

    /// <summary>
    /// Ends the connection from the server side: HEAD <c>CLOSE</c> / v0.5.3.8 <c>event_close_conn</c> with
    /// <paramref name="reason"/> (pending calls then fail fast in the client), then <see cref="IsClosed"/>.
    /// </summary>
    public void Close(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        lock (_sync)
        {
            if (!IsClosed)
            {
                CloseWithEvent(reason, RapConnectionCloseReason.ServerClosed);
            }
        }

        SignalOutput();
    }

    /// <summary>
    /// Graceful shutdown. HEAD: sends <c>shutdown {"close_timeout": n}</c> (n = whole seconds − 1, as rap); v0.5.3.8 has
    /// no notice. Both keep serving: calls received from now on are still run and answered, and the transport decides
    /// when to stop reading and close (the gateway: after its grace period, once no call runs). At
    /// <paramref name="closeTimeout"/> every call still running is answered with ServerError <c>server is stopping</c>
    /// and the connection ends. (Closing a 0.5.3.8 connection when its last answer was written lost the calls its client
    /// had already sent.)
    /// </summary>
    public void Shutdown(TimeSpan closeTimeout)
    {
        lock (_sync)
        {
            if (IsClosed || _draining)
            {
                return;
            }

            // Even an idle connection keeps going: calls the client sent before it could know are still read and
            // answered; the transport decides when to stop reading and close (the gateway's grace period).
            _draining = true;
            _drainDeadline = Now() + closeTimeout.Ticks;
            if (Version == RapVersion.Head)
            {
                WriteHeadShutdown(Math.Max(0, (long)closeTimeout.TotalSeconds - 1));
            }
        }

        SignalOutput();
    }

    private void HandleFrame(ReadOnlySequence<byte> frame, long now)
    {
        _lastFrameAt = now;
        _lastPongAt = now; // any frame proves liveness (§7 #2)
        if (Version is null || (_versionFromSilence && Version == RapVersion.V0538))
        {
            var detected = RapVersionDetector.Detect(frame);
            if (detected is null)
            {
                if (Version is null)
                {
                    Terminate(RapConnectionCloseReason.UnknownProtocol);
                    return;
                }
            }
            else
            {
                if (detected == RapVersion.Head && Version == RapVersion.V0538)
                {
                    // A HEAD client behind a slow start: stop the v0.5.3.8 pings (§5 step 3).
                    _pinging = false;
                }

                var first = Version is null || detected != Version;
                Version = detected;
                _versionFromSilence = false;
                if (first && detected == RapVersion.V0538)
                {
                    // v0.5.3.8 clients expect pings from the start (§3.7); they begin with the first frame.
                    StartPinging(now);
                }
            }
        }

        if (Version == RapVersion.Head)
        {
            HandleHeadFrame(frame);
        }
        else
        {
            HandleLegacyFrame(frame);
        }
    }

    private void StartPinging(long now)
    {
        if (_pinging)
        {
            return;
        }

        // Liveness keeps counting from the last frame (or the accept): a client silent since then gets no extra grace.
        _pinging = true;
        WritePing();
        _nextPingAt = now + _options.PingInterval.Ticks;
    }

    private void WritePing()
    {
        if (Version == RapVersion.Head)
        {
            WriteHeadServerEvent(RapEventNames.HeadPingTarget, static (ref MessagePackWriter w, string? _) => w.Write(string.Empty), null);
        }
        else
        {
            WriteLegacyServerEvent(RapEventNames.Ping, string.Empty);
        }
    }

    private long NextDueTicks()
    {
        if (!_started || IsClosed)
        {
            return long.MaxValue;
        }

        var due = _lastFrameAt + _options.IdleTimeout.Ticks;
        if (Version is null)
        {
            due = Math.Min(due, _silenceDeadline);
        }

        if (_pinging)
        {
            due = Math.Min(due, Math.Min(_nextPingAt, _lastPongAt + _options.PongTimeout.Ticks + 1));
        }

        if (_draining)
        {
            due = Math.Min(due, _drainDeadline);
        }

        return due;
    }

    private void CloseWithProtocolErrorIfKnown(RapConnectionCloseReason reason)
    {
        if (Version is null)
        {
            Terminate(reason == RapConnectionCloseReason.MalformedInput ? RapConnectionCloseReason.UnknownProtocol : reason);
        }
        else
        {
            CloseWithEvent(RapErrorMessages.ProtocolErrorClose, reason);
        }
    }

    // The CloseDetail of a frame the decoder refused.
    private void SetDecodeFailure(RapVersion version, RapDecodeStatus status, int messageType = 0) => CloseDetail = status switch
    {
        RapDecodeStatus.Ok => $"{(version == RapVersion.Head ? "HEAD" : "0.5.3.8")} frame at byte {_frameStart}: message type {messageType} is not a request",
        _ => $"{(version == RapVersion.Head ? "HEAD" : "0.5.3.8")} frame at byte {_frameStart}: {status} ({DecodeStatusText(status)})",
    };

    private static string DecodeStatusText(RapDecodeStatus status) => status switch
    {
        RapDecodeStatus.NotArray => "not an array",
        RapDecodeStatus.WrongLength => "an array of the wrong length",
        RapDecodeStatus.InvalidMessageType => "the type is not an int",
        RapDecodeStatus.InvalidId => "the id is not a signed 64-bit int",
        RapDecodeStatus.InvalidAddress => "group or function name is not a str",
        RapDecodeStatus.InvalidHeader => "the header is not a map with str keys",
        RapDecodeStatus.InvalidBody => "a map key in the body is not str or bin",
        RapDecodeStatus.BodyTooDeep => "the body nests too deeply",
        _ => "undecodable msgpack",
    };

    private void CloseWithEvent(string reason, RapConnectionCloseReason closeReason)
    {
        if (IsClosed)
        {
            return;
        }

        if (Version == RapVersion.Head)
        {
            WriteHeadServerEvent(RapEventNames.HeadCloseTarget, static (ref MessagePackWriter w, string? r) => w.Write(r), reason);
        }
        else if (Version == RapVersion.V0538)
        {
            WriteLegacyServerEvent(RapEventNames.LegacyCloseConnection, reason);
        }

        Terminate(closeReason);
    }

    /// <summary>Ends the connection: frees calls, channels and generators and tells the application once.</summary>
    private void Terminate(RapConnectionCloseReason reason)
    {
        if (IsClosed)
        {
            return;
        }

        IsClosed = true;
        CloseReason = reason;
        _pinging = false;
        _draining = false;
        var channels = _channelsByToken is not { Count: > 0 } ? [] : _channelsByToken.Keys.ToArray();
        _channelsByToken?.Clear();
        _headChannels?.Clear();
        _legacyChannels?.Clear();
        _generators?.Clear();
        foreach (var call in _calls.Values)
        {
            ReturnCall(call);
        }

        _calls.Clear();
        foreach (var token in channels)
        {
            _handler.OnChannelClosed(this, token, RapChannelCloseReason.ConnectionClosed);
        }

        _handler.OnConnectionClosed(this, reason);
    }

    // Created with the first frame; its tables only with the first call or channel frame (idle connections stay small).
    private RapHeaderCache HeaderCache => _headerCache ??= new RapHeaderCache();

    private INonceStore Nonces => _nonces ??= new InMemoryNonceStore();

    private static MessagePackReaderOptions ReaderOptionsFor(ref MessagePackReaderOptions cache, long maxFrameBytes, long maxFrameElements, int maxDepth)
    {
        var last = Volatile.Read(ref cache);
        if (last.MaxFrameBytes == maxFrameBytes && last.MaxFrameElements == maxFrameElements && last.MaxDepth == maxDepth)
        {
            return last;
        }

        var created = new MessagePackReaderOptions { MaxFrameBytes = maxFrameBytes, MaxFrameElements = maxFrameElements, MaxDepth = maxDepth };
        Volatile.Write(ref cache, created);
        return created;
    }

    private Dictionary<long, ChannelState> ChannelsByToken => _channelsByToken ??= [];

    private Dictionary<long, ChannelState> HeadChannels => _headChannels ??= [];

    private Dictionary<string, ChannelState> LegacyChannels => _legacyChannels ??= new(StringComparer.Ordinal);

    private HashSet<long> Generators => _generators ??= [];

    private long Now() => _time.GetUtcNow().UtcTicks;

    private long UnixSeconds() => _time.GetUtcNow().ToUnixTimeSeconds();

    private int NextServerId()
    {
        // Even ids 4, 6, ... modulo 65536, never 0 (§2.4).
        _nextServerId = (_nextServerId + 2) & 0xFFFF;
        if (_nextServerId == 0)
        {
            _nextServerId = 2;
        }

        return _nextServerId;
    }

    private InFlightCall RentCall()
    {
        var call = _callPool.Count > 0 ? _callPool.Pop() : new InFlightCall();
        call.Token = ++_nextToken;
        return call;
    }

    private void ReturnCall(InFlightCall call)
    {
        call.Reset();
        if (_callPool.Count < 256)
        {
            _callPool.Push(call);
        }
    }

    private bool TryTakeCall(long token, out InFlightCall call)
    {
        if (IsClosed || !_calls.Remove(token, out call!))
        {
            call = null!;
            return false;
        }

        return true;
    }

    /// <summary>Answers every call still running with ServerError "server is stopping" (the drain deadline passed).</summary>
    private void FailCallsForShutdown()
    {
        if (_calls.Count == 0 || Version is not { } version)
        {
            return;
        }

        int status = RapStatusCodes.ToWire(RapErrorKind.ServerError, version);
        foreach (var token in _calls.Keys.ToArray())
        {
            FailCallWithStatus(token, status, RapErrorMessages.ServerStopping);
        }
    }

    private void MarkOutput() => _outputSignal = true;

    private bool TakeOutputSignal()
    {
        var signal = _outputSignal && _output.WrittenCount > 0;
        _outputSignal = false;
        return signal;
    }

    private void SignalOutput()
    {
        if (_sync.IsHeldByCurrentThread)
        {
            // Nested in another member (or a handler callback): the outermost one signals after releasing the lock.
            return;
        }

        bool signal;
        lock (_sync)
        {
            signal = TakeOutputSignal();
        }

        if (signal)
        {
            _handler.OnOutputAvailable(this);
        }
    }

    private static string NewConnectionId(DateTimeOffset now)
    {
        // Snowflake-like decimal id: milliseconds since 2020 in the high bits, a process counter in the low 22 bits.
        var millis = now.ToUnixTimeMilliseconds() - 1_577_836_800_000L;
        var id = (Math.Max(millis, 0) << 22) | (Interlocked.Increment(ref s_connectionCounter) & 0x3FFFFF);
        return id.ToString(CultureInfo.InvariantCulture);
    }

    private delegate void BodyWriter<TState>(ref MessagePackWriter writer, TState state);
}
