using System.Buffers;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Connections;
using OrleansRpc.Protocol.Crypto;
using OrleansRpc.Protocol.Errors;
using OrleansRpc.Protocol.Frames;
using OrleansRpc.Testing;

namespace OrleansRpc.Protocol.Tests.Transcripts;

/// <summary>
/// Drives one <see cref="RapServerConnection"/> per recorded connection with the recorded client bytes and the
/// recorded clock, plays the application from the recorded answers, and compares every frame the state machine
/// produces with the recorded server frame.
/// </summary>
/// <remarks>
/// Values that legitimately differ between runs are compared by type and shape only: HEAD conn_id, server_info host
/// port/ip and user_agent, ids of server-initiated events; v0.5.3.8 request_id of server-initiated frames, host port,
/// generator call_id (mapped consistently: the client's later requests are rewritten to carry our id); encrypted bodies
/// (both are decrypted and the plaintext bodies compared). Server pings are timer-driven and interleave differently:
/// they are excluded from the one-to-one matching but each one produced is checked for its exact shape. Headers are
/// compared as dictionaries, as the Python client reads them. Frames are matched by (type, id) / (num, msg_id or
/// channel_id) in order, so a protocol answer the state machine sends earlier than rap did still matches.
/// </remarks>
internal sealed class TranscriptReplay
{
    public const string CryptoKeyId = "test";
    public const string CryptoSecret = "0123456789abcdef";

    private readonly RapVersion _version;
    private readonly bool _crypto;
    private readonly ManualTimeProvider _time;
    private readonly DateTimeOffset _base;
    private readonly RapCryptoKey _key = new(CryptoKeyId, CryptoSecret);
    private readonly InMemoryNonceStore _nonces = new();
    private readonly Dictionary<int, ConnectionReplay> _connections = [];
    private readonly string _peerHost;

    public TranscriptReplay(RapVersion version, bool crypto, DateTimeOffset start, string peerHost = "127.0.0.1")
    {
        _version = version;
        _crypto = crypto;
        _base = start;
        _time = new ManualTimeProvider(start);
        _peerHost = peerHost;
    }

    public List<string> Failures { get; } = [];

    public int MatchedFrames { get; private set; }

    public int ServerPings { get; private set; }

    /// <summary>Recorded rap frames deliberately not reproduced (rap bugs / quirks), with the reason.</summary>
    public List<string> SkippedRapFrames { get; } = [];

    public void Process(TranscriptRecord record)
    {
        if (record.IsNote)
        {
            return;
        }

        _time.SetUtcNow(_base + TimeSpan.FromMilliseconds(record.TimeMs));
        if (!_connections.TryGetValue(record.Connection, out var connection))
        {
            connection = new ConnectionReplay(this, record.Connection);
            _connections.Add(record.Connection, connection);
        }

        connection.Process(record);
    }

    public void Finish()
    {
        foreach (var connection in _connections.Values)
        {
            connection.Finish();
        }
    }

    private void Fail(string message) => Failures.Add(message);

    private sealed class ConnectionReplay
    {
        private readonly TranscriptReplay _owner;
        private readonly int _number;
        private readonly ReplayApplication _app = new();
        private readonly RapServerConnection _machine;
        private readonly List<(string Key, MessagePackValue Frame)> _produced = [];
        private readonly RapFrameComparer _comparer;
        private readonly HashSet<string> _droppedByClient = new(StringComparer.Ordinal);

        public ConnectionReplay(TranscriptReplay owner, int number)
        {
            _owner = owner;
            _number = number;
            _comparer = new RapFrameComparer(owner._version, owner._crypto ? owner._key : null);
            var options = new RapConnectionOptions
            {
                // The conformance service's settings (CONFORMANCE_SERVICE.md §1), which the recordings were made with.
                PingInterval = TimeSpan.FromSeconds(1),
                PongTimeout = TimeSpan.FromSeconds(3.3),
                LegacySilenceThreshold = TimeSpan.FromSeconds(1),
            };
            if (owner._crypto)
            {
                options.CryptoKeys[CryptoKeyId] = CryptoSecret;
            }

            _machine = new RapServerConnection(_app, options, owner._time, new RapPeer(owner._peerHost, 50000), owner._nonces);
            _machine.Start();
        }

        public void Process(TranscriptRecord record)
        {
            Tick();
            if (record.Direction == TranscriptDirection.ClientToServer)
            {
                if (_machine.IsClosed)
                {
                    return;
                }

                var bytes = RewriteClientFrame(record.Bytes);
                var sequence = new ReadOnlySequence<byte>(bytes);
                var consumed = _machine.Receive(sequence);
                if (!consumed.Equals(sequence.End))
                {
                    _owner.Fail($"conn {_number} line {record.LineNumber}: the state machine did not consume the whole frame");
                }

                Collect();
                return;
            }

            var recorded = MessagePackValue.Parse(record.Bytes);
            if (IsServerPing(recorded))
            {
                _owner.ServerPings++;
                return;
            }

            PlayApplication(recorded, record.LineNumber);
            Collect();
            var key = KeyOf(recorded);
            var index = _produced.FindIndex(p => p.Key == key);
            if (index < 0)
            {
                if (IsKnownRapQuirk(recorded, out var reason))
                {
                    _owner.SkippedRapFrames.Add($"conn {_number} line {record.LineNumber}: {reason}");
                    return;
                }

                _owner.Fail($"conn {_number} line {record.LineNumber}: no frame produced for recorded {recorded} (key {key}); pending: {string.Join(" | ", _produced.Select(p => p.Frame.ToString()))}");
                return;
            }

            var produced = _produced[index].Frame;
            _produced.RemoveAt(index);
            var differences = _comparer.Compare(recorded, produced);
            foreach (var difference in differences)
            {
                _owner.Fail($"conn {_number} line {record.LineNumber}: {difference} (recorded {Trim(recorded)}, produced {Trim(produced)})");
            }

            _owner.MatchedFrames++;
        }

        public void Finish()
        {
            Tick();
            Collect();
            foreach (var (key, frame) in _produced)
            {
                _owner.Fail($"conn {_number}: produced a frame rap did not send: {Trim(frame)}");
            }
        }

        private static string Trim(MessagePackValue value)
        {
            var text = value.ToString();
            return text.Length > 400 ? text[..400] + "…" : text;
        }

        private void Tick()
        {
            if (_machine.NextTimerDue is { } due && due <= _owner._time.GetUtcNow())
            {
                _machine.OnTimer();
                Collect();
            }
        }

        private void Collect()
        {
            var output = new ArrayBufferWriter<byte>();
            _machine.DrainOutput(output);
            foreach (var frame in FrameSplitter.Split(output.WrittenSpan))
            {
                var value = MessagePackValue.Parse(frame);
                if (IsServerPing(value))
                {
                    CheckPingShape(value);
                    continue;
                }

                _produced.Add((KeyOf(value), value));
            }
        }

        private void CheckPingShape(MessagePackValue ping)
        {
            if (RapFrameComparer.CheckServerPing(_owner._version, ping) is { } problem)
            {
                _owner.Fail($"conn {_number}: {problem}");
            }
        }

        private bool IsServerPing(MessagePackValue frame) => RapFrameComparer.IsServerPing(_owner._version, frame);

        private string KeyOf(MessagePackValue frame) => RapFrameComparer.MatchKey(_owner._version, frame);

        // ---- the application, played from the recording ----

        private void PlayApplication(MessagePackValue recorded, int line)
        {
            var items = recorded.AsArray();
            var type = items[0].AsInt64();
            if (_owner._version == RapVersion.Head)
            {
                var header = items[2];
                var body = items[3];
                long? status = header.TryGetValue("status_code", out var s) ? s.AsInt64() : null;
                var id = items[1].AsInt64();
                if (type == 101 && _app.TryTakeCall(id, out var call))
                {
                    AnswerHeadCall(call.Token, status, Plain(body, status));
                }
                else if (type == 102 && _app.HeadChannels.TryGetValue(id, out var channel))
                {
                    header.TryGetValue("channel_life_cycle", out var lifeCycle);
                    PlayChannel(channel, status, lifeCycle.IsNil ? null : lifeCycle.AsString(), Plain(body, status), "DECLARE", "DROP");
                }
                else if (type == 203 && header.TryGetValue("target", out var target) && target.AsString() == "/_event/shutdown")
                {
                    // The server was asked to stop: the driver's action, the frame is the state machine's.
                    _machine.Shutdown(TimeSpan.FromSeconds(body["close_timeout"].AsInt64() + 1));
                }

                return;
            }

            var legacyHeader = items[4];
            var legacyBody = items[5];
            var legacyStatus = legacyHeader["status_code"].AsInt64();
            if (type == 201 && _app.TryTakeCall(items[1].AsInt64(), out var legacyCall))
            {
                AnswerLegacyCall(legacyCall, legacyStatus, Plain(legacyBody, legacyStatus));
            }
            else if (type == 202 && legacyHeader.TryGetValue("channel_id", out var channelId)
                     && _app.LegacyChannels.TryGetValue(channelId.AsString(), out var legacyChannel)
                     && !(legacyHeader.TryGetValue("channel_life_cycle", out var lc) && lc.AsString() == "drop" && _droppedByClient.Contains(channelId.AsString())))
            {
                legacyHeader.TryGetValue("channel_life_cycle", out var lifeCycle);
                PlayChannel(legacyChannel, legacyStatus == 200 ? null : legacyStatus, lifeCycle.IsNil ? null : lifeCycle.AsString(), legacyBody, "declare", "drop");
            }
        }

        private void AnswerHeadCall(long token, long? status, MessagePackValue body)
        {
            switch (status)
            {
                case null or 200:
                    _machine.CompleteCall(token, body);
                    break;
                case 301:
                    _machine.FailCallWithException(token, body[0].AsString(), body[1].AsString());
                    break;
                default:
                    _machine.FailCallWithStatus(token, (int)status.Value, body.AsString());
                    break;
            }
        }

        private void AnswerLegacyCall(PendingCall call, long status, MessagePackValue body)
        {
            if (status is 200 && body.Kind == MessagePackValueKind.Map)
            {
                if (body.TryGetValue("result", out var result))
                {
                    EnsureGenerator(call, body["call_id"]);
                    _machine.CompleteCall(call.Token, result);
                    return;
                }

                var info = body["exc_info"].AsString();
                if (body.TryGetValue("exc", out var exc))
                {
                    _machine.FailCallWithException(call.Token, exc.AsString(), info);
                }
                else if (info.EndsWith("not support generator", StringComparison.Ordinal))
                {
                    Assert_(!_machine.StartGenerator(call.Token, out _), "StartGenerator must refuse a foreign user agent");
                }
                else
                {
                    _machine.FailCallWithException(call.Token, "RuntimeError", info);
                }

                return;
            }

            if (status == 301)
            {
                EnsureGenerator(call, body["call_id"]);
                _machine.CompleteGeneratorEnd(call.Token);
                return;
            }

            _machine.FailCallWithStatus(call.Token, (int)status, body.AsString());
        }

        private void EnsureGenerator(PendingCall call, MessagePackValue recordedCallId)
        {
            var recorded = RapFrameComparer.ToUInt64(recordedCallId);
            if (recorded == unchecked((ulong)-1L) || call.GeneratorId != 0)
            {
                return;
            }

            Assert_(_machine.StartGenerator(call.Token, out var id), "StartGenerator failed");
            _comparer.GeneratorIds[recorded] = id;
        }

        private void PlayChannel(long token, long? status, string? lifeCycle, MessagePackValue body, string declare, string drop)
        {
            var accepted = _app.AcceptedChannels.Contains(token);
            if (!accepted)
            {
                if (status is null && lifeCycle == declare)
                {
                    _machine.AcceptChannel(token);
                    _app.AcceptedChannels.Add(token);
                }
                else if (status is { } code)
                {
                    _machine.RejectChannel(token, RapStatusCodes.FromWire(code, _owner._version) ?? RapErrorKind.ServerError, body.AsString());
                    _app.Forget(token);
                }

                return;
            }

            if (status == 301)
            {
                _machine.FailChannel(token, body[0].AsString(), body[1].AsString());
                _app.Forget(token);
            }
            else if (status is { } code)
            {
                _machine.FailChannel(token, RapStatusCodes.FromWire(code, _owner._version) ?? RapErrorKind.ServerError, body.AsString());
                _app.Forget(token);
            }
            else if (lifeCycle == "MSG")
            {
                _machine.SendChannelMessage(token, body);
            }
            else if (lifeCycle == drop)
            {
                _machine.CloseChannel(token);
                _app.Forget(token);
            }
        }

        private void Assert_(bool condition, string message)
        {
            if (!condition)
            {
                _owner.Fail($"conn {_number}: {message}");
            }
        }

        /// <summary>The plaintext body of a recorded answer (decrypting an encrypted success body).</summary>
        private MessagePackValue Plain(MessagePackValue body, long? status)
        {
            if (!_owner._crypto || body.Kind != MessagePackValueKind.Binary)
            {
                return body;
            }

            if (!RapCryptoEnvelope.TryOpen(_owner._key, body.AsBinary().Span, out var content))
            {
                _owner.Fail($"conn {_number}: cannot decrypt a recorded body");
                return body;
            }

            return MessagePackValue.Parse(content.Body);
        }

        // ---- client frames ----

        private byte[] RewriteClientFrame(byte[] bytes)
        {
            if (_owner._version == RapVersion.Head)
            {
                return bytes;
            }

            var frame = MessagePackValue.Parse(bytes);
            var items = frame.AsArray();
            if (items.Count == 6 && items[0].AsInt64() == 102 && items[4].TryGetValue("channel_life_cycle", out var lc) && lc.AsString() == "drop"
                && items[4].TryGetValue("channel_id", out var channelId))
            {
                _droppedByClient.Add(channelId.AsString());
            }

            if (_comparer.GeneratorIds.Count == 0 || items.Count != 6 || items[0].AsInt64() != 101)
            {
                return bytes;
            }

            var body = items[5];
            string? nonce = null;
            long timestamp = 0;
            var encrypted = body.Kind == MessagePackValueKind.Binary;
            if (encrypted)
            {
                if (!RapCryptoEnvelope.TryOpen(_owner._key, body.AsBinary().Span, out var content))
                {
                    return bytes;
                }

                body = MessagePackValue.Parse(content.Body);
                nonce = content.NonceKey;
                timestamp = content.Timestamp ?? 0;
            }

            if (body.Kind != MessagePackValueKind.Map || !body.TryGetValue("call_id", out var callId) || !callId.IsInteger
                || !_comparer.GeneratorIds.TryGetValue(RapFrameComparer.ToUInt64(callId), out var ours))
            {
                return bytes;
            }

            var entries = body.AsMap().Select(e => e.Key.AsString() == "call_id" ? new KeyValuePair<MessagePackValue, MessagePackValue>(e.Key, ours) : e).ToList();
            MessagePackValue newBody = MessagePackValue.FromMap(entries);
            if (encrypted)
            {
                var plain = new ReadOnlySequence<byte>(newBody.ToArray());
                var sealedBody = nonce!.StartsWith("s:", StringComparison.Ordinal)
                    ? RapCryptoEnvelope.Seal(_owner._key, plain, timestamp, nonce[2..])
                    : RapCryptoEnvelope.Seal(_owner._key, plain, timestamp, long.Parse(nonce[2..], System.Globalization.CultureInfo.InvariantCulture));
                newBody = sealedBody!;
            }

            var rebuilt = items.ToArray();
            rebuilt[5] = newBody;
            return MessagePackValue.FromArray(rebuilt).ToArray();
        }

        private bool IsKnownRapQuirk(MessagePackValue recorded, out string reason)
        {
            var items = recorded.AsArray();
            if (_owner._version == RapVersion.V0538 && items[0].AsInt64() == 202 && items[4]["status_code"].AsInt64() == 510
                && items[4].TryGetValue("channel_id", out var channelId) && _droppedByClient.Contains(channelId.AsString()))
            {
                reason = "rap 0.5.3.8 answers a client drop twice (its drop, then 510 on the closed channel); one drop is the answer";
                return true;
            }

            if (_owner._version == RapVersion.V0538 && items[0].AsInt64() == -1)
            {
                reason = "rap 0.5.3.8 answers an undecryptable pong with a num -1 frame; client events are never answered (§3.14)";
                return true;
            }

            reason = string.Empty;
            return false;
        }
    }
}
