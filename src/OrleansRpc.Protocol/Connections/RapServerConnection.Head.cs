using System.Buffers;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Crypto;
using OrleansRpc.Protocol.Errors;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Protocol.Connections;

/// <summary>HEAD (4-array) frame handling, §2.</summary>
public sealed partial class RapServerConnection
{
    private void HandleHeadFrame(ReadOnlySequence<byte> bytes)
    {
        var status = RapFrameDecoder.TryDecode(bytes, RapVersion.Head, _readerOptions, _options.ValidateBodies, HeaderCache, out var frame);
        if (status == RapDecodeStatus.BodyTooDeep && frame.MessageType == HeadMessageType.Message)
        {
            // Legal msgpack nested deeper than arguments are decoded: that call's bad parameters, not a broken stream.
            WriteHeadString(HeadMessageType.Message, frame.Id, RapStatusCodes.ToWire(RapErrorKind.ParseError, RapVersion.Head), RapErrorMessages.ArgumentTooDeep);
            return;
        }

        if (status == RapDecodeStatus.BodyTooDeep && frame.MessageType == HeadMessageType.Channel
            && frame.Header.ChannelLifeCycle == RapChannelLifeCycle.Message && HeadChannels.TryGetValue(frame.Id, out var deepChannel))
        {
            // A channel message (a generator's parameters) nested too deeply: that channel's bad parameters. It ends
            // as FailChannel ends one (ParseError, then DROP); the application hears of it as of a drop; the
            // connection goes on.
            RemoveChannel(deepChannel.Token, out _);
            WriteChannelStatus(deepChannel, RapStatusCodes.ToWire(RapErrorKind.ParseError, RapVersion.Head), RapErrorMessages.ArgumentTooDeep);
            WriteChannelDrop(deepChannel);
            _handler.OnChannelClosed(this, deepChannel.Token, RapChannelCloseReason.ClientDrop);
            return;
        }

        if (status != RapDecodeStatus.Ok)
        {
            // §2.14: every structural error is answered with CLOSE "protocol error"; undecodable input just closes.
            SetDecodeFailure(RapVersion.Head, status);
            CloseWithEvent(RapErrorMessages.ProtocolErrorClose,
                status is RapDecodeStatus.Malformed or RapDecodeStatus.InvalidBody ? RapConnectionCloseReason.MalformedInput : RapConnectionCloseReason.ProtocolError);
            return;
        }

        switch (frame.MessageType)
        {
            case HeadMessageType.Message:
                HandleHeadCall(frame);
                break;
            case HeadMessageType.Channel:
                HandleHeadChannel(frame);
                break;
            case HeadMessageType.ClientEvent:
                HandleHeadClientEvent(frame);
                break;
            case HeadMessageType.ServerEvent:
                // The client's answer to our ping (liveness already refreshed); anything else is ignored (§2.7 g).
                break;
            default:
                SetDecodeFailure(RapVersion.Head, RapDecodeStatus.Ok, frame.MessageType);
                CloseWithEvent(RapErrorMessages.IllegalRequest, RapConnectionCloseReason.IllegalRequest);
                break;
        }
    }

    private const int MaxCachedTargets = 256;

    // Headers with more than a target (a deadline, user headers) are not shared: remember their split targets here
    // instead of allocating group/name per call. Created on first use, bounded.
    private Dictionary<string, (string Group, string Name)>? _targets;

    private bool TryHeadAddress(in RapFrame frame, out string group, out string name)
    {
        // A shared (cached) header carries its split target: the plain call's fast path.
        if (frame.Header.TryGetSplitTarget(out group, out name))
        {
            return true;
        }

        var target = frame.Header.Target;
        if (target is not null && _targets is not null && _targets.TryGetValue(target, out var cached))
        {
            (group, name) = cached;
            return true;
        }

        if (!RapTarget.TryParse(target, out group, out name))
        {
            CloseWithEvent(RapErrorMessages.ProtocolErrorClose, RapConnectionCloseReason.ProtocolError);
            return false;
        }

        _targets ??= new Dictionary<string, (string Group, string Name)>(StringComparer.Ordinal);
        if (_targets.Count < MaxCachedTargets)
        {
            _targets[target!] = (group, name);
        }

        return true;
    }

    private void HandleHeadCall(in RapFrame frame)
    {
        if (!frame.Header.HasTargetKey)
        {
            // rap sends nothing here (§7 #6); a ProtocolError answer lets the caller fail instead of hang.
            WriteHeadString(HeadMessageType.Message, frame.Id, RapStatusCodes.ToWire(RapErrorKind.ProtocolError, RapVersion.Head), RapErrorMessages.MissingTarget);
            return;
        }

        if (!TryHeadAddress(frame, out var group, out var name))
        {
            return;
        }

        var body = frame.Body;
        if (_headKey is not null && !TryOpenHeadBody(HeadMessageType.Message, frame.Id, ref body))
        {
            return;
        }

        if (FirstType(body) != MessagePackType.Map)
        {
            WriteHeadString(HeadMessageType.Message, frame.Id, RapStatusCodes.ToWire(RapErrorKind.ParseError, RapVersion.Head), RapErrorMessages.BodyNotMap);
            return;
        }

        if (_calls.Count >= _options.MaxInFlightCalls)
        {
            WriteHeadString(HeadMessageType.Message, frame.Id, RapStatusCodes.ToWire(RapErrorKind.TooManyRequest, RapVersion.Head), RapErrorMessages.TooManyRequests);
            return;
        }

        DateTimeOffset? deadline = null;
        if (frame.Header.Deadline is { } epochSeconds)
        {
            // Intended meaning (§2.8, §7 #3): time left = deadline − now.
            var at = DateTimeOffset.UnixEpoch.AddTicks((long)(epochSeconds * TimeSpan.TicksPerSecond));
            if (at <= _time.GetUtcNow())
            {
                WriteHeadException(frame.Id, "RpcRunTimeError", RapErrorMessages.CallTimeout(name));
                return;
            }

            deadline = at;
        }

        var call = RentCall();
        call.WireId = frame.Id;
        call.Group = group;
        call.Name = name;
        call.Key = _headKey;
        _calls.Add(call.Token, call);
        var request = new RapCallRequest(call.Token, RapVersion.Head, frame.Id, group, name, frame.Header,
            ReadOnlySequence<byte>.Empty, body, 0, deadline, _headKey is not null);
        InvokeCall(request, generatorStep: false);
    }

    private void HandleHeadChannel(in RapFrame frame)
    {
        var lifeCycle = frame.Header.ChannelLifeCycle;
        var channelError = RapStatusCodes.ToWire(RapErrorKind.ChannelError, RapVersion.Head);
        switch (lifeCycle)
        {
            case RapChannelLifeCycle.HeadDeclare:
            {
                if (HeadChannels.ContainsKey(frame.Id))
                {
                    WriteHeadString(HeadMessageType.Channel, frame.Id, channelError, RapErrorMessages.ChannelAlreadyCreated);
                    return;
                }

                if (!frame.Header.HasTargetKey)
                {
                    WriteHeadString(HeadMessageType.Channel, frame.Id, RapStatusCodes.ToWire(RapErrorKind.ProtocolError, RapVersion.Head), RapErrorMessages.MissingTarget);
                    return;
                }

                if (!TryHeadAddress(frame, out var group, out var name))
                {
                    return;
                }

                var body = frame.Body;
                if (_headKey is not null && !TryOpenHeadBody(HeadMessageType.Channel, frame.Id, ref body))
                {
                    return;
                }

                if (ChannelsByToken.Count >= _options.MaxChannels)
                {
                    WriteHeadString(HeadMessageType.Channel, frame.Id, channelError, RapErrorMessages.TooManyRequests);
                    return;
                }

                var channel = new ChannelState(++_nextToken, frame.Id, null, group, name, frame.Header);
                HeadChannels.Add(frame.Id, channel);
                ChannelsByToken.Add(channel.Token, channel);
                InvokeChannel(channel.Token, new RapChannelOpenRequest(channel.Token, RapVersion.Head, frame.Id, group, name, frame.Header, body));
                return;
            }

            case RapChannelLifeCycle.Message:
            {
                if (!HeadChannels.TryGetValue(frame.Id, out var channel))
                {
                    // rap stays silent here (§7 #5).
                    WriteHeadString(HeadMessageType.Channel, frame.Id, channelError, RapErrorMessages.ChannelNotCreated);
                    return;
                }

                var body = frame.Body;
                if (_headKey is not null && !TryOpenHeadBody(HeadMessageType.Channel, frame.Id, ref body))
                {
                    return;
                }

                InvokeChannel(channel.Token, new RapChannelMessage(channel.Token, frame.Header, body));
                return;
            }

            case RapChannelLifeCycle.HeadDrop:
            {
                if (!HeadChannels.Remove(frame.Id, out var channel))
                {
                    WriteHeadString(HeadMessageType.Channel, frame.Id, channelError, RapErrorMessages.ChannelNotCreated);
                    return;
                }

                ChannelsByToken.Remove(channel.Token);
                WriteHeadChannelFrame(frame.Id, RapChannelLifeCycle.HeadDrop, NilBody);
                _handler.OnChannelClosed(this, channel.Token, RapChannelCloseReason.ClientDrop);
                return;
            }

            default:
                WriteHeadString(HeadMessageType.Channel, frame.Id, channelError, RapErrorMessages.ChannelLifeCycleError);
                return;
        }
    }

    private void HandleHeadClientEvent(in RapFrame frame)
    {
        if (!TryHeadAddress(frame, out _, out var name))
        {
            return;
        }

        switch (name)
        {
            case RapEventNames.Declare:
                HandleHeadDeclare(frame);
                break;
            case RapEventNames.Ping:
                WriteHeadRaw(HeadMessageType.ClientEvent, frame.Id, 0, null, EmptyMapBody);
                break;
            case RapEventNames.Drop:
                WriteHeadString(HeadMessageType.ClientEvent, frame.Id, 0, "success");
                break;
            case RapEventNames.Close:
                WriteHeadRaw(HeadMessageType.ClientEvent, frame.Id, 0, null, NilBody);
                Terminate(RapConnectionCloseReason.ClientCloseEvent);
                break;
            default:
                WriteHeadRaw(HeadMessageType.ClientEvent, frame.Id, 0, null, NilBody);
                break;
        }
    }

    private void HandleHeadDeclare(in RapFrame frame)
    {
        var runTimeError = RapStatusCodes.ToWire(RapErrorKind.RpcRunTimeError, RapVersion.Head);
        if (!HeadDeclareBody.TryParse(frame.Body, out var declare) || !declare.HasClientInfo || !declare.HasMetadata)
        {
            WriteHeadString(HeadMessageType.ClientEvent, frame.Id, runTimeError, RapErrorMessages.RpcRunTimeError);
            return;
        }

        var cryptoError = RapStatusCodes.ToWire(RapErrorKind.CryptoError, RapVersion.Head);
        RapCryptoKey? key = null;
        if (declare.CryptoId is not null)
        {
            if (!_keys.TryGetValue(declare.CryptoId, out key))
            {
                WriteHeadString(HeadMessageType.ClientEvent, frame.Id, cryptoError, RapErrorMessages.UnknownCryptoId(declare.CryptoId));
                return;
            }

            if (declare.CheckBody is null || !key.TryDecryptHex(declare.CheckBody, out var plaintext) || !IsJsonOfString(plaintext, declare.CryptoId))
            {
                WriteHeadString(HeadMessageType.ClientEvent, frame.Id, cryptoError, RapErrorMessages.CryptoKeyError);
                return;
            }
        }

        _headKey = key;
        _clientDeclaration = new RapClientDeclaration(declare.ClientInfo, declare.Metadata);
        WriteHeadDeclareAnswer(frame.Id);
        if (_options.PingHeadClients)
        {
            StartPinging(Now());
        }
    }

    private static bool IsJsonOfString(byte[] plaintext, string expected)
    {
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(plaintext);
            return reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.String && reader.GetString() == expected && !reader.Read();
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    /// <summary>Decrypts a HEAD request body in place; on failure answers 1007 on <paramref name="id"/> and returns false.</summary>
    private bool TryOpenHeadBody(int type, long id, ref ReadOnlySequence<byte> body)
    {
        var error = OpenEnvelope(_headKey!, body, out var plain);
        if (error is not null)
        {
            WriteHeadString(type, id, RapStatusCodes.ToWire(RapErrorKind.CryptoError, RapVersion.Head), error);
            return false;
        }

        body = new ReadOnlySequence<byte>(plain);
        return true;
    }

    /// <summary>Opens and checks an envelope (§2.13 checks); returns the error text or null.</summary>
    private string? OpenEnvelope(RapCryptoKey key, in ReadOnlySequence<byte> body, out byte[] plain)
    {
        plain = [];
        var reader = new MessagePackReader(body);
        if (reader.NextMessagePackType != MessagePackType.Binary)
        {
            return RapErrorMessages.DecryptBodyError;
        }

        var hex = reader.ReadBytes()!.Value;
        if (!RapCryptoEnvelope.TryOpen(key, hex.IsSingleSegment ? hex.FirstSpan : hex.ToArray(), out var content))
        {
            return RapErrorMessages.DecryptBodyError;
        }

        if (!WithinLimits(content.Body))
        {
            return RapErrorMessages.DecryptedBodyOverLimit;
        }

        var now = _time.GetUtcNow();
        var window = _options.CryptoTimeWindow ?? MaxAgeCryptoTimeWindow.Instance;
        if (content.Timestamp is not { } timestamp || !window.IsAcceptable(timestamp, now, _options.CryptoMaxAge))
        {
            return RapErrorMessages.CryptoTimestampError;
        }

        if (content.NonceKey is null || !Nonces.TryAdd(content.NonceKey, now, _options.CryptoNonceLifetime))
        {
            return RapErrorMessages.CryptoNonceError;
        }

        plain = content.Body;
        return null;
    }

    // The decrypted body was never scanned as a frame: hold it to the same limits (elements, depth), or a JSON array of
    // nulls (5 bytes each) inside an envelope would decode past MaxFrameElements.
    private bool WithinLimits(byte[] body)
    {
        try
        {
            return MessagePackFrameReader.TryReadNext(body, _readerOptions, out _) == MessagePackFrameStatus.Complete;
        }
        catch (MessagePackSerializationException)
        {
            return false;
        }
    }

    private static MessagePackType FirstType(in ReadOnlySequence<byte> body)
    {
        var reader = new MessagePackReader(body);
        return reader.NextMessagePackType;
    }

    // ---- HEAD writers ----

    private static ReadOnlySpan<byte> NilBody => [MessagePackCode.Nil];

    private static ReadOnlySpan<byte> EmptyMapBody => [0x80];

    private void WriteHeadRaw(int type, long id, long status, string? lifeCycle, ReadOnlySpan<byte> rawBody)
    {
        var writer = new MessagePackWriter(_output);
        writer.WriteArrayHeader(4);
        writer.Write(type);
        writer.Write(id);
        WriteHeadHeader(ref writer, status, lifeCycle);
        writer.WriteRaw(rawBody);
        writer.Flush();
        MarkOutput();
    }

    private static void WriteHeadHeader(ref MessagePackWriter writer, long status, string? lifeCycle)
    {
        var count = (status != 0 ? 1 : 0) + (lifeCycle is not null ? 1 : 0);
        writer.WriteMapHeader(count);
        if (status != 0)
        {
            writer.Write(RapHeaderKeys.StatusCode);
            writer.Write(status);
        }

        if (lifeCycle is not null)
        {
            writer.Write(RapHeaderKeys.ChannelLifeCycle);
            writer.Write(lifeCycle);
        }
    }

    private void WriteHeadString(int type, long id, long status, string message)
    {
        var writer = new MessagePackWriter(_output);
        writer.WriteArrayHeader(4);
        writer.Write(type);
        writer.Write(id);
        WriteHeadHeader(ref writer, status, null);
        writer.Write(message);
        writer.Flush();
        MarkOutput();
    }

    private void WriteHeadException(long id, string name, string message) =>
        WriteHeadException(HeadMessageType.Message, id, name, message);

    private void WriteHeadException(int type, long id, string name, string message)
    {
        var writer = new MessagePackWriter(_output);
        writer.WriteArrayHeader(4);
        writer.Write(type);
        writer.Write(id);
        WriteHeadHeader(ref writer, RapStatusCodes.HeadInvokeError, null);
        writer.WriteArrayHeader(2);
        writer.Write(name);
        writer.Write(message);
        writer.Flush();
        MarkOutput();
    }

    /// <summary>A 101/102 success frame: the body is encrypted when the connection negotiated a key (§2.13).</summary>
    private bool WriteHeadSuccess(int type, long id, string? lifeCycle, ReadOnlySpan<byte> rawBody, RapCryptoKey? key)
    {
        if (key is null)
        {
            WriteHeadRaw(type, id, 0, lifeCycle, rawBody);
            return true;
        }

        var sealedBody = SealBody(key, rawBody);
        if (sealedBody is null)
        {
            WriteHeadString(type, id, RapStatusCodes.ToWire(RapErrorKind.CryptoError, RapVersion.Head), RapErrorMessages.CannotEncrypt);
            return false;
        }

        var writer = new MessagePackWriter(_output);
        writer.WriteArrayHeader(4);
        writer.Write(type);
        writer.Write(id);
        WriteHeadHeader(ref writer, 0, lifeCycle);
        writer.Write(sealedBody.AsSpan());
        writer.Flush();
        MarkOutput();
        return true;
    }

    private byte[]? SealBody(RapCryptoKey key, ReadOnlySpan<byte> rawBody)
    {
        var seconds = UnixSeconds();
        return RapCryptoEnvelope.Seal(key, new ReadOnlySequence<byte>(rawBody.ToArray()), seconds, RapCryptoEnvelope.NewNonce(seconds));
    }

    private void WriteHeadChannelFrame(long id, string lifeCycle, ReadOnlySpan<byte> rawBody) =>
        WriteHeadSuccess(HeadMessageType.Channel, id, lifeCycle, rawBody, _headKey);

    private void WriteHeadServerEvent(string target, BodyWriter<string?> body, string? state)
    {
        var writer = new MessagePackWriter(_output);
        writer.WriteArrayHeader(4);
        writer.Write(HeadMessageType.ServerEvent);
        writer.Write(NextServerId());
        writer.WriteMapHeader(1);
        writer.Write(RapHeaderKeys.Target);
        writer.Write(target);
        body(ref writer, state);
        writer.Flush();
        MarkOutput();
    }

    private void WriteHeadShutdown(long closeTimeoutSeconds)
    {
        var writer = new MessagePackWriter(_output);
        writer.WriteArrayHeader(4);
        writer.Write(HeadMessageType.ServerEvent);
        writer.Write(NextServerId());
        writer.WriteMapHeader(1);
        writer.Write(RapHeaderKeys.Target);
        writer.Write(RapEventNames.HeadShutdownTarget);
        writer.WriteMapHeader(1);
        writer.Write("close_timeout");
        writer.Write(closeTimeoutSeconds);
        writer.Flush();
        MarkOutput();
    }

    private void WriteHeadDeclareAnswer(long id)
    {
        var writer = new MessagePackWriter(_output);
        writer.WriteArrayHeader(4);
        writer.Write(HeadMessageType.ClientEvent);
        writer.Write(id);
        writer.WriteMapHeader(0);
        writer.WriteMapHeader(2);
        writer.Write("conn_id");
        writer.Write(ConnectionId);
        writer.Write("server_info");
        writer.WriteMapHeader(3);
        writer.Write(RapHeaderKeys.Host);
        writer.WriteArrayHeader(2);
        writer.Write(Peer.Host);
        writer.Write(Peer.Port);
        writer.Write(RapHeaderKeys.Version);
        writer.Write(ProtocolVersionText);
        writer.Write(RapHeaderKeys.UserAgent);
        writer.Write(_options.ServerUserAgent);
        writer.Flush();
        MarkOutput();
    }
}
