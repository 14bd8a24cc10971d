using OrleansRpc.Client.Diagnostics;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Crypto;
using OrleansRpc.Protocol.Errors;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Client.Connections;

internal sealed partial class RapClientConnection
{
    private static readonly byte[] s_declareTarget = Encode(RapEventNames.HeadDeclareTarget);
    private static readonly byte[] s_pingTarget = Encode(RapEventNames.HeadPingTarget);

    /// <summary>HEAD handshake (§2.7 b): DECLARE with client_info/metadata (+ crypto_id/check_body), answer must hold conn_id.</summary>
    private async Task DeclareAsync(CancellationToken cancellationToken)
    {
        var declare = new RapPendingEvent { Id = NextHeadId() };
        Register(declare);
        var header = new RapRequestHeader { EncodedTarget = s_declareTarget };
        Send(HeadMessageType.ClientEvent, declare.Id, null, null, header, this, static (ref MessagePackWriter w, RapClientConnection c) => c.WriteDeclareBody(ref w), declare);
        RapEventAnswer answer;
        try
        {
            answer = await declare.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            RemovePending(declare.Id, declare);
        }

        if (answer.MessageType != HeadMessageType.ClientEvent)
        {
            throw new RapProtocolException($"DECLARE was answered with msg_type {answer.MessageType}.");
        }

        if (RapStatusCodes.FromWire(answer.StatusCode, RapVersion.Head) is { } kind)
        {
            throw RapRemoteException.FromStatus(answer.StatusCode, kind, RapAnswerReader.Text(answer.Body));
        }

        if (answer.Body.Kind != MessagePackValueKind.Map || !answer.Body.TryGetValue("conn_id", out var connectionId))
        {
            throw new RapConnectionException("The DECLARE answer has no conn_id.");
        }

        ConnectionId = RapAnswerReader.Text(connectionId);
        ServerInfo = answer.Body.TryGetValue("server_info", out var info) ? info : MessagePackValue.Nil;
        _encrypted = _context.CryptoKey is not null;
    }

    private void WriteDeclareBody(ref MessagePackWriter writer)
    {
        var crypto = _context.CryptoKey;
        writer.WriteMapHeader(crypto is null ? 2 : 4);
        writer.Write("client_info");
        writer.WriteMapHeader(3);
        writer.Write(RapHeaderKeys.Host);
        WriteHost(ref writer);
        writer.Write(RapHeaderKeys.Version);
        writer.WriteRaw(s_version);
        writer.Write(RapHeaderKeys.UserAgent);
        writer.Write(_context.Options.EffectiveUserAgent);
        writer.Write("metadata");
        writer.WriteMapHeader(_context.Options.Metadata.Count);
        foreach (var entry in _context.Options.Metadata)
        {
            writer.Write(entry.Key);
            entry.Value.Write(ref writer);
        }

        if (crypto is not null)
        {
            writer.Write("crypto_id");
            writer.Write(crypto.Id);
            writer.Write("check_body");
            writer.Write(RapCryptoEnvelope.SealJson(crypto, RapCryptoEnvelope.JsonString(crypto.Id)).AsSpan());
        }
    }

    /// <summary>One HEAD ping (§2.7 c), awaited: the time from sending it to its answer.</summary>
    internal async Task<TimeSpan> PingAsync(CancellationToken cancellationToken)
    {
        if (Version != RapVersion.Head)
        {
            throw new NotSupportedException("rap 0.5.3.8 clients do not ping; only the server does.");
        }

        var ping = new RapPendingEvent { Id = NextHeadId() };
        Register(ping);
        var started = _context.Time.GetTimestamp();
        try
        {
            Send(HeadMessageType.ClientEvent, ping.Id, null, null, new RapRequestHeader { EncodedTarget = s_pingTarget }, 0,
                static (ref MessagePackWriter w, int _) => w.WriteMapHeader(0), ping);
            var answer = await ping.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            var elapsed = _context.Time.GetElapsedTime(started);
            if (answer.MessageType != HeadMessageType.ClientEvent || answer.Body.Kind != MessagePackValueKind.Map)
            {
                throw new RapProtocolException($"The ping was answered with msg_type {answer.MessageType} and a {answer.Body.Kind} body.");
            }

            return elapsed;
        }
        finally
        {
            RemovePending(ping.Id, ping);
        }
    }

    /// <summary>
    /// HEAD liveness (§2.7 c): a round of pings right away and then every 1–3 s; a connection with no answered round
    /// for <see cref="RapClientOptions.LivenessTimeout"/> is retired (drained, then closed; the pool reconnects).
    /// </summary>
    private async Task PingLoopAsync()
    {
        var options = _context.Options;
        var time = _context.Time;
        var round = new RapPendingEvent[options.PingsPerRound];
        try
        {
            while (!_lifetime.IsCancellationRequested && State != RapConnectionState.Closed)
            {
                for (var i = 0; i < round.Length; i++)
                {
                    var ping = new RapPendingEvent { Id = NextHeadId() };
                    Register(ping);
                    Send(HeadMessageType.ClientEvent, ping.Id, null, null, new RapRequestHeader { EncodedTarget = s_pingTarget }, 0,
                        static (ref MessagePackWriter w, int _) => w.WriteMapHeader(0), ping);
                    round[i] = ping;
                }

                var min = options.PingIntervalMin.TotalMilliseconds;
                var max = options.PingIntervalMax.TotalMilliseconds;
                var delay = TimeSpan.FromMilliseconds(min + (Random.Shared.NextDouble() * (max - min)));
                await Task.Delay(delay, time, _lifetime.Token).ConfigureAwait(false);

                var answered = false;
                foreach (var ping in round)
                {
                    if (ping.Task.IsCompletedSuccessfully && ping.Task.Result is { MessageType: HeadMessageType.ClientEvent } answer
                        && answer.Body.Kind == MessagePackValueKind.Map)
                    {
                        answered = true;
                    }

                    RemovePending(ping.Id, ping);
                }

                if (answered)
                {
                    Volatile.Write(ref _lastAliveTimestamp, time.GetTimestamp());
                }
                else if (time.GetElapsedTime(Volatile.Read(ref _lastAliveTimestamp)) > options.LivenessTimeout)
                {
                    RapClientLog.PingTimeout(_context.Logger, Endpoint.ToString());
                    var reason = new RapConnectionException($"No ping answer from {Endpoint} for {options.LivenessTimeout}.");
                    if (InFlight <= 0)
                    {
                        await CloseAsync(reason).ConfigureAwait(false);
                    }
                    else
                    {
                        BeginDrain(options.LivenessTimeout, reason);
                    }

                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (RapConnectionException)
        {
        }
    }

    /// <summary>HEAD server events (§2.7 d, f): ping, CLOSE, shutdown; others are logged and ignored.</summary>
    private void OnHeadServerEvent(in RapFrame frame)
    {
        var target = frame.Header.Target ?? string.Empty;
        if (target == RapEventNames.HeadPingTarget)
        {
            // Answer with the same id and exactly what rap answers (H-4).
            try
            {
                Send(HeadMessageType.ServerEvent, frame.Id, null, null, new RapRequestHeader { EncodedTarget = s_pingTarget }, 0,
                    static (ref MessagePackWriter w, int _) => w.Write(string.Empty), null);
            }
            catch (RapConnectionException)
            {
            }

            return;
        }

        if (target == RapEventNames.HeadCloseTarget)
        {
            var reason = RapAnswerReader.Text(MessagePackValue.Parse(frame.Body, _context.ReaderOptions));
            RapClientLog.ServerClosed(_context.Logger, Endpoint.ToString(), reason);
            _ = CloseAsync(new RapConnectionException($"recv close conn event, event info:{reason}") { CloseReason = reason });
            return;
        }

        if (target.EndsWith(RapEventNames.Shutdown, StringComparison.Ordinal))
        {
            var body = MessagePackValue.Parse(frame.Body, _context.ReaderOptions);
            var seconds = body.Kind == MessagePackValueKind.Map && body.TryGetValue("close_timeout", out var value)
                && (value.IsInteger || value.Kind is MessagePackValueKind.Float64 or MessagePackValueKind.Float32)
                ? value.AsDouble()
                : 0;
            RapClientLog.ServerShutdown(_context.Logger, Endpoint.ToString(), seconds);
            BeginDrain(TimeSpan.FromSeconds(Math.Max(0, seconds)), new RapServerShutdownException($"The server {Endpoint} shut down before the call finished."));
            return;
        }

        RapClientLog.FrameIgnored(_context.Logger, Endpoint.ToString(), "server event " + target);
    }

    /// <summary>v0.5.3.8 server events (§3.7): answer ping with pong; event_close_conn closes.</summary>
    private void OnLegacyServerEvent(in RapFrame frame)
    {
        if (frame.FunctionName == RapEventNames.Ping)
        {
            try
            {
                Send(LegacyMessageType.ClientEvent, -1, string.Empty, RapEventNames.LegacyPong, default(RapRequestHeader), 0,
                    static (ref MessagePackWriter w, int _) => w.Write(string.Empty), null);
            }
            catch (RapConnectionException)
            {
            }

            return;
        }

        if (frame.FunctionName == RapEventNames.LegacyCloseConnection)
        {
            var reason = RapAnswerReader.Text(MessagePackValue.Parse(frame.Body, _context.ReaderOptions));
            RapClientLog.ServerClosed(_context.Logger, Endpoint.ToString(), reason);
            _ = CloseAsync(new RapConnectionException($"recv close conn event, event info:{reason}") { CloseReason = reason });
            return;
        }

        RapClientLog.FrameIgnored(_context.Logger, Endpoint.ToString(), "server event " + frame.FunctionName);
    }
}
