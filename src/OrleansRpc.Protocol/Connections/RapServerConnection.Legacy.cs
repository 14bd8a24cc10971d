using System.Buffers;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Crypto;
using OrleansRpc.Protocol.Errors;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Protocol.Connections;

/// <summary>v0.5.3.8 (6-array) frame handling, §3.</summary>
public sealed partial class RapServerConnection
{
    private char[]? _requestIdChars;

    private void HandleLegacyFrame(ReadOnlySequence<byte> bytes)
    {
        var status = RapFrameDecoder.TryDecode(bytes, RapVersion.V0538, _readerOptions, _options.ValidateBodies, HeaderCache, out var frame);
        if (status == RapDecodeStatus.BodyTooDeep && frame.MessageType == LegacyMessageType.MessageRequest)
        {
            // As in HEAD: the call is answered with ParseError and the connection goes on.
            WriteLegacyStatus(LegacyMessageType.MessageResponse, frame.Id, frame.Group!, frame.FunctionName!, frame.Header,
                RapStatusCodes.ToWire(RapErrorKind.ParseError, RapVersion.V0538), RapErrorMessages.ArgumentTooDeep);
            return;
        }

        if (status != RapDecodeStatus.Ok)
        {
            SetDecodeFailure(RapVersion.V0538, status);

            // §3.14: not a 6-array, header not a map (rap's answer to that kills the client, §7 #12) ... → close.
            CloseWithEvent(RapErrorMessages.ProtocolErrorClose,
                status is RapDecodeStatus.Malformed or RapDecodeStatus.InvalidBody ? RapConnectionCloseReason.MalformedInput : RapConnectionCloseReason.ProtocolError);
            return;
        }

        switch (frame.MessageType)
        {
            case LegacyMessageType.MessageRequest:
                HandleLegacyCall(frame);
                break;
            case LegacyMessageType.ChannelRequest:
                HandleLegacyChannel(frame);
                break;
            case LegacyMessageType.ClientEvent:
                // pong (liveness already refreshed) or another client event: never answered (§3.14).
                break;
            default:
                WriteLegacyStatus(LegacyMessageType.ServerErrorResponse, frame.Id, frame.Group!, frame.FunctionName!, frame.Header,
                    RapStatusCodes.ToWire(RapErrorKind.ServerError, RapVersion.V0538), RapErrorMessages.IllegalRequest);
                break;
        }
    }

    private void HandleLegacyCall(in RapFrame frame)
    {
        var group = frame.Group!;
        var name = frame.FunctionName!;
        var body = frame.Body;
        RapCryptoKey? key = null;
        if (!TryOpenLegacyBody(frame, LegacyMessageType.MessageResponse, ref body, ref key))
        {
            return;
        }

        var parsed = LegacyCallBody.TryParse(body, out var callId, out var positional, out var keywords);
        if (parsed != LegacyCallBody.Status.Ok)
        {
            var kind = parsed == LegacyCallBody.Status.NotMap ? RapErrorKind.RpcRunTimeError : RapErrorKind.ParseError;
            WriteLegacyStatus(LegacyMessageType.MessageResponse, frame.Id, group, name, frame.Header, RapStatusCodes.ToWire(kind, RapVersion.V0538),
                parsed == LegacyCallBody.Status.NotMap ? RapErrorMessages.RpcRunTimeError : RapErrorMessages.BodyMissParams);
            return;
        }

        if (_calls.Count >= _options.MaxInFlightCalls)
        {
            WriteLegacyStatus(LegacyMessageType.MessageResponse, frame.Id, group, name, frame.Header,
                RapStatusCodes.ToWire(RapErrorKind.TooManyRequest, RapVersion.V0538), RapErrorMessages.TooManyRequests);
            return;
        }

        var isGeneratorStep = callId != -1 && callId != 0 && _generators is not null && _generators.Contains(callId);
        var call = RentCall();
        call.WireId = frame.Id;
        call.CallId = callId;
        call.Group = group;
        call.Name = name;
        call.Header = frame.Header;
        call.Key = key;
        call.IsGenerator = isGeneratorStep;
        _calls.Add(call.Token, call);
        var request = new RapCallRequest(call.Token, RapVersion.V0538, frame.Id, group, name, frame.Header, positional, keywords,
            isGeneratorStep ? callId : 0, null, key is not null);
        InvokeCall(request, isGeneratorStep);
    }

    /// <summary>
    /// Decrypts a v0.5.3.8 body when it is a bin and the header names a key (§3.13); on failure answers 509 and returns false.
    /// </summary>
    private bool TryOpenLegacyBody(in RapFrame frame, int answerType, ref ReadOnlySequence<byte> body, ref RapCryptoKey? key)
    {
        if (FirstType(body) != MessagePackType.Binary || frame.Header.CryptoId is null)
        {
            return true;
        }

        var cryptoError = RapStatusCodes.ToWire(RapErrorKind.CryptoError, RapVersion.V0538);
        if (!_keys.TryGetValue(frame.Header.CryptoId, out var found))
        {
            WriteLegacyStatus(answerType, frame.Id, frame.Group!, frame.FunctionName!, frame.Header, cryptoError, RapErrorMessages.LegacyCryptoIdError);
            return false;
        }

        var error = OpenEnvelope(found, body, out var plain);
        if (error is not null)
        {
            WriteLegacyStatus(answerType, frame.Id, frame.Group!, frame.FunctionName!, frame.Header, cryptoError, error);
            return false;
        }

        key = found;
        body = new ReadOnlySequence<byte>(plain);
        return true;
    }

    private void HandleLegacyChannel(in RapFrame frame)
    {
        var group = frame.Group!;
        var name = frame.FunctionName!;
        var channelError = RapStatusCodes.ToWire(RapErrorKind.ChannelError, RapVersion.V0538);
        if (frame.Header.ChannelId is not { } channelId)
        {
            WriteLegacyStatus(LegacyMessageType.ChannelResponse, frame.Id, group, name, frame.Header,
                RapStatusCodes.ToWire(RapErrorKind.ProtocolError, RapVersion.V0538), RapErrorMessages.ChannelIdMissing);
            return;
        }

        var body = frame.Body;
        RapCryptoKey? key = null;
        if (!TryOpenLegacyBody(frame, LegacyMessageType.ChannelResponse, ref body, ref key))
        {
            return;
        }

        switch (frame.Header.ChannelLifeCycle)
        {
            case RapChannelLifeCycle.LegacyDeclare:
            {
                if (LegacyChannels.ContainsKey(channelId))
                {
                    WriteLegacyStatus(LegacyMessageType.ChannelResponse, frame.Id, group, name, frame.Header, channelError, RapErrorMessages.ChannelAlreadyCreated);
                    return;
                }

                if (ChannelsByToken.Count >= _options.MaxChannels)
                {
                    WriteLegacyStatus(LegacyMessageType.ChannelResponse, frame.Id, group, name, frame.Header, channelError, RapErrorMessages.TooManyRequests);
                    return;
                }

                var channel = new ChannelState(++_nextToken, 0, channelId, group, name, frame.Header);
                LegacyChannels.Add(channelId, channel);
                ChannelsByToken.Add(channel.Token, channel);
                InvokeChannel(channel.Token, new RapChannelOpenRequest(channel.Token, RapVersion.V0538, frame.Id, group, name, frame.Header, body));
                return;
            }

            case RapChannelLifeCycle.Message:
            {
                if (!LegacyChannels.TryGetValue(channelId, out var channel))
                {
                    WriteLegacyStatus(LegacyMessageType.ChannelResponse, frame.Id, group, name, frame.Header, channelError, RapErrorMessages.ChannelNotCreated);
                    return;
                }

                InvokeChannel(channel.Token, new RapChannelMessage(channel.Token, frame.Header, body));
                return;
            }

            case RapChannelLifeCycle.LegacyDrop:
            {
                if (!LegacyChannels.Remove(channelId, out var channel))
                {
                    WriteLegacyStatus(LegacyMessageType.ChannelResponse, frame.Id, group, name, frame.Header, channelError, RapErrorMessages.ChannelNotCreated);
                    return;
                }

                ChannelsByToken.Remove(channel.Token);
                WriteLegacyChannelFrame(channel, RapChannelLifeCycle.LegacyDrop, NilBody);
                _handler.OnChannelClosed(this, channel.Token, RapChannelCloseReason.ClientDrop);
                return;
            }

            default:
                WriteLegacyStatus(LegacyMessageType.ChannelResponse, frame.Id, group, name, frame.Header, channelError, RapErrorMessages.ChannelLifeCycleError);
                return;
        }
    }

    // ---- v0.5.3.8 writers ----

    private static void WriteLegacyPrefix(ref MessagePackWriter writer, int type, long id, string group, string name)
    {
        writer.WriteArrayHeader(6);
        writer.Write(type);
        writer.Write(id);
        writer.Write(group);
        writer.Write(name);
    }

    /// <summary>
    /// The answer header: <c>status_code</c> first, then the request header with <c>host</c> replaced by the peer address
    /// and <c>version</c>/<c>user_agent</c> overwritten; those three are appended when the request lacked them (§3.5).
    /// </summary>
    private void WriteLegacyAnswerHeader(ref MessagePackWriter writer, RapHeader request, long status)
    {
        bool hasHost = false, hasVersion = false, hasAgent = false;
        var copied = 0;
        foreach (var entry in request.EntrySpan)
        {
            switch (entry.Key)
            {
                case RapHeaderKeys.StatusCode:
                    continue;
                case RapHeaderKeys.Host:
                    hasHost = true;
                    break;
                case RapHeaderKeys.Version:
                    hasVersion = true;
                    break;
                case RapHeaderKeys.UserAgent:
                    hasAgent = true;
                    break;
            }

            copied++;
        }

        writer.WriteMapHeader(1 + copied + (hasVersion ? 0 : 1) + (hasAgent ? 0 : 1) + (hasHost ? 0 : 1));
        writer.Write(RapHeaderKeys.StatusCode);
        writer.Write(status);
        foreach (var entry in request.EntrySpan)
        {
            switch (entry.Key)
            {
                case RapHeaderKeys.StatusCode:
                    continue;
                case RapHeaderKeys.Host:
                    writer.Write(RapHeaderKeys.Host);
                    WritePeer(ref writer);
                    break;
                case RapHeaderKeys.Version:
                    writer.Write(RapHeaderKeys.Version);
                    writer.Write(ProtocolVersionText);
                    break;
                case RapHeaderKeys.UserAgent:
                    writer.Write(RapHeaderKeys.UserAgent);
                    writer.Write(LegacyUserAgent);
                    break;
                default:
                    writer.Write(entry.Key);
                    entry.Value.Write(ref writer);
                    break;
            }
        }

        if (!hasVersion)
        {
            writer.Write(RapHeaderKeys.Version);
            writer.Write(ProtocolVersionText);
        }

        if (!hasAgent)
        {
            writer.Write(RapHeaderKeys.UserAgent);
            writer.Write(LegacyUserAgent);
        }

        if (!hasHost)
        {
            writer.Write(RapHeaderKeys.Host);
            WritePeer(ref writer);
        }
    }

    private void WritePeer(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.Write(Peer.Host);
        writer.Write(Peer.Port);
    }

    private void WriteNewRequestId(ref MessagePackWriter writer)
    {
        // A fresh uuid4 text per server frame (§3.5), formatted into a reused buffer (we hold the lock; HEAD never needs it).
        var requestId = _requestIdChars ??= new char[36];
        Guid.NewGuid().TryFormat(requestId, out _, "D");
        writer.Write(RapHeaderKeys.RequestId);
        writer.Write((ReadOnlySpan<char>)requestId);
    }

    private void WriteLegacyStatus(int type, long id, string group, string name, RapHeader request, long status, string message)
    {
        var writer = new MessagePackWriter(_output);
        WriteLegacyPrefix(ref writer, type, id, group, name);
        WriteLegacyAnswerHeader(ref writer, request, status);
        writer.Write(message);
        writer.Flush();
        MarkOutput();
    }

    /// <summary>A 201 answer with a pre-encoded body; encrypted when <paramref name="key"/> is set.</summary>
    private void WriteLegacyAnswer(InFlightCall call, long status, ReadOnlySpan<byte> rawBody, RapCryptoKey? key)
    {
        byte[]? sealedBody = null;
        if (key is not null)
        {
            sealedBody = SealBody(key, rawBody);
            if (sealedBody is null)
            {
                WriteLegacyStatus(LegacyMessageType.MessageResponse, call.WireId, call.Group, call.Name, call.Header!,
                    RapStatusCodes.ToWire(RapErrorKind.CryptoError, RapVersion.V0538), RapErrorMessages.CannotEncrypt);
                return;
            }
        }

        var writer = new MessagePackWriter(_output);
        WriteLegacyPrefix(ref writer, LegacyMessageType.MessageResponse, call.WireId, call.Group, call.Name);
        WriteLegacyAnswerHeader(ref writer, call.Header!, status);
        if (sealedBody is null)
        {
            writer.WriteRaw(rawBody);
        }
        else
        {
            writer.Write(sealedBody.AsSpan());
        }

        writer.Flush();
        MarkOutput();
    }

    /// <summary>Server channel frames: <c>{channel_id, channel_life_cycle, version, user_agent, request_id (fresh), status_code 200}</c>, plain (§3.11, §3.13).</summary>
    private void WriteLegacyChannelFrame(ChannelState channel, string lifeCycle, ReadOnlySpan<byte> rawBody)
    {
        var writer = new MessagePackWriter(_output);
        WriteLegacyPrefix(ref writer, LegacyMessageType.ChannelResponse, -1, channel.Group, channel.Name);
        writer.WriteMapHeader(6);
        writer.Write(RapHeaderKeys.ChannelId);
        writer.Write(channel.ChannelId);
        writer.Write(RapHeaderKeys.ChannelLifeCycle);
        writer.Write(lifeCycle);
        writer.Write(RapHeaderKeys.Version);
        writer.Write(ProtocolVersionText);
        writer.Write(RapHeaderKeys.UserAgent);
        writer.Write(LegacyUserAgent);
        WriteNewRequestId(ref writer);
        writer.Write(RapHeaderKeys.StatusCode);
        writer.Write(RapStatusCodes.Ok);
        writer.WriteRaw(rawBody);
        writer.Flush();
        MarkOutput();
    }

    private void WriteLegacyServerEvent(string name, string body)
    {
        var writer = new MessagePackWriter(_output);
        WriteLegacyPrefix(ref writer, LegacyMessageType.ServerEvent, -1, RapEventNames.LegacyServerEventGroup, name);
        writer.WriteMapHeader(4);
        writer.Write(RapHeaderKeys.StatusCode);
        writer.Write(RapStatusCodes.Ok);
        writer.Write(RapHeaderKeys.Version);
        writer.Write(ProtocolVersionText);
        writer.Write(RapHeaderKeys.UserAgent);
        writer.Write(LegacyUserAgent);
        WriteNewRequestId(ref writer);
        writer.Write(body);
        writer.Flush();
        MarkOutput();
    }
}
