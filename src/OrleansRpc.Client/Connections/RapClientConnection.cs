using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using OrleansRpc.Client.Diagnostics;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Crypto;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Client.Connections;

/// <summary>
/// One TCP (or TLS) connection to a rap server: a read loop that routes answers by id, a batched writer, the HEAD
/// DECLARE handshake and ping loop, and the server events CLOSE/shutdown (v0.5.3.8: ping/pong, event_close_conn).
/// </summary>
internal sealed partial class RapClientConnection : IAsyncDisposable
{
    private readonly RapClientContext _context;
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _input;
    private readonly RapFrameOutput _output;
    private readonly ConcurrentDictionary<long, RapPendingOperation> _pending = new();
    private readonly ConcurrentDictionary<long, RapChannel> _channels = new();
    private readonly ConcurrentDictionary<string, RapChannel> _legacyChannels = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _headId = 1;
    private int _legacyId;
    private int _inFlight;
    private int _state = (int)RapConnectionState.Connecting;
    private bool _encrypted;
    private long _lastAliveTimestamp;
    private Task? _readLoop;
    private Task? _pingLoop;
    private ITimer? _drainTimer;

    private RapClientConnection(RapClientContext context, RapEndpoint endpoint, Socket socket, Stream stream)
    {
        _context = context;
        Endpoint = endpoint;
        _socket = socket;
        _stream = stream;
        Version = context.Options.ProtocolVersion;
        LocalEndPoint = Normalize(socket.LocalEndPoint as IPEndPoint);
        RemoteEndPoint = Normalize(socket.RemoteEndPoint as IPEndPoint);
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096, leaveOpen: true));
        _output = new RapFrameOutput(stream);
        _output.Failed += ex => _ = CloseAsync(new RapConnectionException("Writing to the connection failed.", ex));
        _legacyId = Random.Shared.Next(0, 65535);
    }

    /// <summary>Raised when the connection starts draining or closes (the pool then stops using it).</summary>
    public event Action<RapClientConnection>? StateChanged;

    public RapEndpoint Endpoint { get; }

    public RapVersion Version { get; }

    public IPEndPoint? LocalEndPoint { get; }

    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>HEAD: the server's <c>conn_id</c>.</summary>
    public string? ConnectionId { get; private set; }

    /// <summary>HEAD: the server's <c>server_info</c>.</summary>
    public MessagePackValue ServerInfo { get; private set; }

    public MessagePackReaderOptions ReaderOptions => _context.ReaderOptions;

    public RapConnectionState State => (RapConnectionState)Volatile.Read(ref _state);

    public bool IsReady => State == RapConnectionState.Ready;

    public bool IsClosed => State == RapConnectionState.Closed;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Completes when the connection is closed; the result is the reason.</summary>
    public Task Closed => _closed.Task;

    public Exception? CloseReason { get; private set; }

    /// <summary>Opens, secures and (HEAD) declares a connection.</summary>
    public static async Task<RapClientConnection> ConnectAsync(RapClientContext context, RapEndpoint endpoint, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(context.Options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        RapClientConnection? connection = null;
        try
        {
            await socket.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (context.Options.Tls.Enabled)
            {
                stream = await AuthenticateAsync(context.Options.Tls, endpoint, stream, timeout.Token).ConfigureAwait(false);
            }

            connection = new RapClientConnection(context, endpoint, socket, stream);
            connection._readLoop = Task.Run(connection.ReadLoopAsync, CancellationToken.None);
            if (connection.Version == RapVersion.Head)
            {
                await connection.DeclareAsync(timeout.Token).ConfigureAwait(false);
            }

            connection._lastAliveTimestamp = context.Time.GetTimestamp();
            if (Interlocked.CompareExchange(ref connection._state, (int)RapConnectionState.Ready, (int)RapConnectionState.Connecting)
                != (int)RapConnectionState.Connecting)
            {
                throw connection.CloseReason ?? new RapConnectionException("The connection closed during the handshake.");
            }

            if (connection.Version == RapVersion.Head)
            {
                connection._pingLoop = Task.Run(connection.PingLoopAsync, CancellationToken.None);
            }

            RapClientLog.Connected(context.Logger, endpoint.ToString(), connection.ConnectionId ?? string.Empty);
            return connection;
        }
        catch (Exception ex)
        {
            if (connection is not null)
            {
                await connection.CloseAsync(ex).ConfigureAwait(false);
            }
            else if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                socket.Dispose();
            }

            if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new RapConnectionException($"Connecting to {endpoint} timed out after {context.Options.ConnectTimeout}.", ex);
            }

            if (ex is RapConnectionException or RapRemoteException or OperationCanceledException)
            {
                throw;
            }

            throw new RapConnectionException($"Could not connect to {endpoint}: {ex.Message}", ex);
        }
    }

    /// <summary>Reserves a call slot if the connection is ready and below <paramref name="capacity"/>.</summary>
    public bool TryReserve(int capacity)
    {
        while (true)
        {
            if (!IsReady)
            {
                return false;
            }

            var current = Volatile.Read(ref _inFlight);
            if (current >= capacity)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _inFlight, current + 1, current) == current)
            {
                // A drain that began after the check above must not get a new call (the server said it stops taking
                // them): hand the slot back, which also closes the connection if that was the drain's last slot.
                if (IsReady)
                {
                    return true;
                }

                ReleaseSlot();
                return false;
            }
        }
    }

    /// <summary>Reserves a slot regardless of the cap (session calls are pinned here).</summary>
    public bool ForceReserve()
    {
        if (State is RapConnectionState.Closed)
        {
            return false;
        }

        Interlocked.Increment(ref _inFlight);
        return true;
    }

    /// <summary>Frees a slot; a draining connection closes with its last call.</summary>
    public void ReleaseSlot()
    {
        var remaining = Interlocked.Decrement(ref _inFlight);
        if (remaining <= 0 && State == RapConnectionState.Draining)
        {
            _ = CloseAsync(new RapConnectionException("The connection was drained."));
        }
    }

    internal void RemovePending(long id, RapPendingOperation operation) =>
        _pending.TryRemove(new KeyValuePair<long, RapPendingOperation>(id, operation));

    internal void RemoveChannel(RapChannel channel)
    {
        if (channel.LegacyChannelId is { } legacyId)
        {
            _legacyChannels.TryRemove(new KeyValuePair<string, RapChannel>(legacyId, channel));
        }
        else
        {
            _channels.TryRemove(new KeyValuePair<long, RapChannel>(channel.Id, channel));
        }
    }

    /// <summary>Stops new calls; closes when in-flight calls are done or after <paramref name="limit"/>.</summary>
    public void BeginDrain(TimeSpan limit, Exception reasonWhenForced)
    {
        if (Interlocked.CompareExchange(ref _state, (int)RapConnectionState.Draining, (int)RapConnectionState.Ready) != (int)RapConnectionState.Ready)
        {
            return;
        }

        StateChanged?.Invoke(this);
        if (InFlight <= 0 && _channels.IsEmpty && _legacyChannels.IsEmpty)
        {
            _ = CloseAsync(new RapConnectionException("The connection was drained."));
            return;
        }

        var timer = _context.Time.CreateTimer(
            static state =>
            {
                var (connection, reason) = ((RapClientConnection, Exception))state!;
                _ = connection.CloseAsync(reason);
            },
            (this, reasonWhenForced),
            limit < TimeSpan.Zero ? TimeSpan.Zero : limit,
            Timeout.InfiniteTimeSpan);
        Interlocked.Exchange(ref _drainTimer, timer);

        // The last call may have closed the connection before the timer was stored, when CloseAsync found none to stop.
        if (IsClosed)
        {
            timer.Dispose();
        }
    }

    /// <summary>Closes the connection and fails everything still waiting on it with <paramref name="reason"/>.</summary>
    public async Task CloseAsync(Exception reason)
    {
        var previous = (RapConnectionState)Interlocked.Exchange(ref _state, (int)RapConnectionState.Closed);
        if (previous == RapConnectionState.Closed)
        {
            await _closed.Task.ConfigureAwait(false);
            return;
        }

        CloseReason = reason;
        RapClientLog.ConnectionClosed(_context.Logger, Endpoint.ToString(), reason.Message);
        StateChanged?.Invoke(this);
        foreach (var entry in _pending)
        {
            if (_pending.TryRemove(entry))
            {
                entry.Value.OnFailed(reason);
            }
        }

        foreach (var entry in _channels)
        {
            if (_channels.TryRemove(entry))
            {
                entry.Value.OnFailed(reason);
            }
        }

        foreach (var entry in _legacyChannels)
        {
            if (_legacyChannels.TryRemove(entry))
            {
                entry.Value.OnFailed(reason);
            }
        }

        Interlocked.Exchange(ref _drainTimer, null)?.Dispose();
        await _lifetime.CancelAsync().ConfigureAwait(false);
        try
        {
            await _output.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
        _closed.TrySetResult();
    }

    public ValueTask DisposeAsync() => new(CloseAsync(new RapConnectionException("The client closed the connection.")));

    private async Task ReadLoopAsync()
    {
        Exception? error = null;
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(_lifetime.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (!buffer.IsEmpty
                    && MessagePackFrameReader.TryReadNext(buffer, _context.ReaderOptions, out var end) == MessagePackFrameStatus.Complete)
                {
                    Dispatch(buffer.Slice(0, end));
                    buffer = buffer.Slice(end);
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            error = ex;
        }
        finally
        {
            await _input.CompleteAsync().ConfigureAwait(false);
        }

        await CloseAsync(error is null
            ? new RapConnectionException($"The server {Endpoint} closed the connection.")
            : new RapConnectionException($"The connection to {Endpoint} failed: {error.Message}", error)).ConfigureAwait(false);
    }

    private void Dispatch(ReadOnlySequence<byte> bytes)
    {
        var status = RapFrameDecoder.TryDecode(bytes, Version, _context.ReaderOptions, validateBody: false, out var frame);
        if (status != RapDecodeStatus.Ok)
        {
            // A frame of the other generation is logged and skipped, as rap's clients do (§5); anything else is fatal.
            if (status is RapDecodeStatus.WrongLength)
            {
                RapClientLog.FrameIgnored(_context.Logger, Endpoint.ToString(), status.ToString());
                return;
            }

            throw new RapProtocolException($"The server sent an undecodable frame ({status}).");
        }

        if (NeedsDecryption(frame))
        {
            if (!TryDecrypt(frame, out var plain))
            {
                FailTarget(frame, new RapCryptoException(0, "Can't decrypt body."));
                return;
            }

            frame = plain;
        }

        if (Version == RapVersion.Head)
        {
            DispatchHead(frame);
        }
        else
        {
            DispatchLegacy(frame);
        }
    }

    private void DispatchHead(in RapFrame frame)
    {
        switch (frame.MessageType)
        {
            case HeadMessageType.Message:
            case HeadMessageType.ClientEvent:
                if (_pending.TryRemove(frame.Id, out var operation))
                {
                    operation.OnFrame(frame);
                }
                else
                {
                    RapClientLog.AnswerDropped(_context.Logger, Endpoint.ToString(), frame.Id);
                }

                break;
            case HeadMessageType.Channel:
                if (_channels.TryGetValue(frame.Id, out var channel))
                {
                    channel.OnFrame(frame);
                }
                else
                {
                    RapClientLog.AnswerDropped(_context.Logger, Endpoint.ToString(), frame.Id);
                }

                break;
            case HeadMessageType.ServerEvent:
                OnHeadServerEvent(frame);
                break;
            default:
                RapClientLog.FrameIgnored(_context.Logger, Endpoint.ToString(), "msg_type " + frame.MessageType);
                break;
        }
    }

    private void DispatchLegacy(in RapFrame frame)
    {
        switch (frame.MessageType)
        {
            case LegacyMessageType.MessageResponse:
            case LegacyMessageType.ServerErrorResponse:
                if (_pending.TryRemove(frame.Id, out var operation))
                {
                    operation.OnFrame(frame);
                }
                else
                {
                    RapClientLog.AnswerDropped(_context.Logger, Endpoint.ToString(), frame.Id);
                }

                break;
            case LegacyMessageType.ChannelResponse:
                if (frame.Header.ChannelId is { } channelId && _legacyChannels.TryGetValue(channelId, out var channel))
                {
                    channel.OnFrame(frame);
                }

                break;
            case LegacyMessageType.ServerEvent:
                OnLegacyServerEvent(frame);
                break;
            default:
                RapClientLog.FrameIgnored(_context.Logger, Endpoint.ToString(), "num " + frame.MessageType);
                break;
        }
    }

    private bool NeedsDecryption(in RapFrame frame)
    {
        if (_context.CryptoKey is null || frame.Body.IsEmpty || !IsBin(frame.Body.FirstSpan[0]))
        {
            return false;
        }

        // HEAD: only call and channel bodies are encrypted, and only once DECLARE negotiated it; v0.5.3.8: any bin body.
        return Version == RapVersion.V0538
            || (_encrypted && frame.MessageType is HeadMessageType.Message or HeadMessageType.Channel);
    }

    private static bool IsBin(byte code) => code is MessagePackCode.Bin8 or MessagePackCode.Bin16 or MessagePackCode.Bin32;

    private bool TryDecrypt(in RapFrame frame, out RapFrame plain)
    {
        plain = default;
        var crypto = _context.Options.Crypto!;
        var reader = new MessagePackReader(frame.Body, _context.ReaderOptions);
        var hex = reader.ReadBytes();
        if (hex is null || !RapCryptoEnvelope.TryOpen(_context.CryptoKey!, hex.Value.ToArray(), out var content))
        {
            return false;
        }

        var now = _context.Time.GetUtcNow();
        if (content.Timestamp is not { } timestamp || now.ToUnixTimeSeconds() - timestamp > crypto.MaxAge.TotalSeconds)
        {
            return false;
        }

        if (content.NonceKey is not { } nonce || !_context.Nonces.TryAdd(nonce, now, crypto.NonceLifetime))
        {
            return false;
        }

        var body = new ReadOnlySequence<byte>(content.Body);
        plain = frame.Version == RapVersion.Head
            ? new RapFrame(frame.MessageType, frame.Id, frame.Header, body)
            : new RapFrame(frame.MessageType, frame.Id, frame.Group!, frame.FunctionName!, frame.Header, body);
        return true;
    }

    private void FailTarget(in RapFrame frame, Exception error)
    {
        if (frame.MessageType is HeadMessageType.Channel or LegacyMessageType.ChannelResponse)
        {
            RapChannel? channel = null;
            if (Version == RapVersion.Head)
            {
                _channels.TryGetValue(frame.Id, out channel);
            }
            else if (frame.Header.ChannelId is { } id)
            {
                _legacyChannels.TryGetValue(id, out channel);
            }

            channel?.OnFailed(error);
            return;
        }

        if (_pending.TryRemove(frame.Id, out var operation))
        {
            operation.OnFailed(error);
        }
    }

    private static IPEndPoint? Normalize(IPEndPoint? endPoint) =>
        endPoint is not null && endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    private static async Task<Stream> AuthenticateAsync(RapClientTlsOptions tls, RapEndpoint endpoint, Stream inner, CancellationToken cancellationToken)
    {
        var trusted = tls.TrustedCertificate;
        var checkName = tls.CheckHostName;
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = tls.TargetHost ?? endpoint.Host,
            EnabledSslProtocols = tls.EnabledProtocols,
            ClientCertificates = tls.ClientCertificates,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                ValidateServerCertificate(certificate, chain, errors, trusted, checkName),
        };
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    internal static bool ValidateServerCertificate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2? trusted, bool checkName)
    {
        if (certificate is null)
        {
            return false;
        }

        if (!checkName)
        {
            errors &= ~SslPolicyErrors.RemoteCertificateNameMismatch;
        }

        if (trusted is null)
        {
            return errors == SslPolicyErrors.None;
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        // Trust exactly the given certificate (rap: load_verify_locations): a chain ending at it, within its validity.
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(trusted);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var serverCertificate = new X509Certificate2(certificate);
        return custom.Build(serverCertificate);
    }
}
