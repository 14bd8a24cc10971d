using System.Buffers;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Crypto;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Client.Connections;

internal sealed partial class RapClientConnection
{
    private static readonly byte[] s_version = Encode("0.1");

    /// <summary>Sends a unary call and returns its pending answer.</summary>
    public RapPendingCall<T> StartCall<T>(string group, string name, RapArgs args, RapCallOptions? options, double? deadline, string? sessionId)
    {
        var call = new RapPendingCall<T>(this);
        if (Version == RapVersion.Head)
        {
            call.Id = NextHeadId();
            Register(call);
            var header = new RapRequestHeader { EncodedTarget = _context.EncodedTarget(group, name), Deadline = deadline, User = options?.Headers };
            Send(HeadMessageType.Message, call.Id, null, null, header, args, static (ref MessagePackWriter w, RapArgs a) => a.WriteHeadBody(ref w), call);
        }
        else
        {
            StartLegacyCall(call, group, name, args, options, sessionId, -1);
        }

        return call;
    }

    /// <summary>v0.5.3.8: one step of a generator (call_id -1 starts it).</summary>
    public RapPendingCall<T> StartLegacyGeneratorStep<T>(string group, string name, RapArgs args, RapCallOptions? options, string sessionId, long callId)
    {
        var call = new RapPendingCall<T>(this, legacyGeneratorStep: true);
        StartLegacyCall(call, group, name, args, options, sessionId, callId);
        return call;
    }

    /// <summary>HEAD: sends a channel DECLARE; v0.5.3.8: a channel declare with a fresh channel_id.</summary>
    public void DeclareChannel(RapChannel channel, MessagePackValue metadata)
    {
        if (Version == RapVersion.Head)
        {
            channel.Id = NextHeadId();
            if (!_channels.TryAdd(channel.Id, channel))
            {
                throw new InvalidOperationException("Duplicate channel id.");
            }

            EnsureNotClosedAfterRegister(channel);
            var header = new RapRequestHeader { LifeCycle = RapChannelLifeCycle.HeadDeclare, EncodedTarget = _context.EncodedTarget(channel.Group, channel.Name) };
            SendChannel(channel, header, metadata, static (ref MessagePackWriter w, MessagePackValue v) => v.Write(ref w));
        }
        else
        {
            _legacyChannels[channel.LegacyChannelId!] = channel;
            EnsureNotClosedAfterRegister(channel);
            var header = new RapRequestHeader { LifeCycle = RapChannelLifeCycle.LegacyDeclare, ChannelId = channel.LegacyChannelId, SessionId = channel.SessionId };
            SendChannel(channel, header, MessagePackValue.Nil, static (ref MessagePackWriter w, MessagePackValue v) => w.WriteNil());
        }
    }

    /// <summary>Sends one channel MSG.</summary>
    public void SendChannelMessage<TState>(RapChannel channel, TState state, RapBodyWriter<TState> body, IReadOnlyList<KeyValuePair<string, MessagePackValue>>? headers)
    {
        var header = new RapRequestHeader
        {
            LifeCycle = RapChannelLifeCycle.Message,
            ChannelId = channel.LegacyChannelId,
            SessionId = channel.SessionId,
            User = headers,
        };
        SendChannel(channel, header, state, body);
    }

    /// <summary>Completes when the send queue has room again (see <see cref="RapFrameOutput.WaitForSpaceAsync"/>).</summary>
    public ValueTask WaitForSendSpaceAsync(CancellationToken cancellationToken) => _output.WaitForSpaceAsync(cancellationToken);

    /// <summary>Sends the client's DROP for a channel.</summary>
    public void SendChannelDrop(RapChannel channel)
    {
        var header = new RapRequestHeader
        {
            LifeCycle = Version == RapVersion.Head ? RapChannelLifeCycle.HeadDrop : RapChannelLifeCycle.LegacyDrop,
            ChannelId = channel.LegacyChannelId,
            SessionId = channel.SessionId,
        };
        SendChannel(channel, header, 0, static (ref MessagePackWriter w, int _) => w.WriteNil());
    }

    private void SendChannel<TState>(RapChannel channel, in RapRequestHeader header, TState state, RapBodyWriter<TState> body)
    {
        if (Version == RapVersion.Head)
        {
            Send(HeadMessageType.Channel, channel.Id, null, null, header, state, body, null);
        }
        else
        {
            Send(LegacyMessageType.ChannelRequest, -1, channel.Group, channel.Name, header, state, body, null);
        }
    }

    private void StartLegacyCall<T>(RapPendingCall<T> call, string group, string name, RapArgs args, RapCallOptions? options, string? sessionId, long callId)
    {
        call.Id = NextLegacyId();
        Register(call);
        var header = new RapRequestHeader { SessionId = sessionId, User = options?.Headers };
        Send(LegacyMessageType.MessageRequest, call.Id, group, name, header, (args, callId), static (ref MessagePackWriter w, (RapArgs Args, long CallId) s) =>
        {
            w.WriteMapHeader(3);
            w.Write("call_id");
            w.Write(s.CallId);
            w.Write("param");
            s.Args.WritePositional(ref w);
            w.Write("default_param");
            s.Args.WriteNamed(ref w);
        }, call);
    }

    /// <summary>A fresh exception for a send on a closed connection, carrying the close reason.</summary>
    private RapConnectionException ClosedError() =>
        new($"The connection to {Endpoint} is closed: {CloseReason?.Message}", CloseReason) { CloseReason = (CloseReason as RapConnectionException)?.CloseReason };

    private void Register(RapPendingOperation operation)
    {
        _pending[operation.Id] = operation;
        if (State == RapConnectionState.Closed && _pending.TryRemove(new KeyValuePair<long, RapPendingOperation>(operation.Id, operation)))
        {
            throw ClosedError();
        }
    }

    private void EnsureNotClosedAfterRegister(RapChannel channel)
    {
        if (State == RapConnectionState.Closed)
        {
            RemoveChannel(channel);
            throw ClosedError();
        }
    }

    /// <summary>Encodes one frame into a scratch buffer (encrypting the body if needed) and queues it.</summary>
    private void Send<TState>(int type, long id, string? group, string? name, in RapRequestHeader header, TState state, RapBodyWriter<TState> body, RapPendingOperation? registered)
    {
        var frame = RapScratch.RentFrame();
        try
        {
            var writer = new MessagePackWriter(frame);
            if (Version == RapVersion.Head)
            {
                writer.WriteArrayHeader(4);
                writer.Write(type);
                writer.Write(id);
                WriteHeadHeader(ref writer, header);
            }
            else
            {
                writer.WriteArrayHeader(6);
                writer.Write(type);
                writer.Write(id);
                writer.Write(group);
                writer.Write(name);
                WriteLegacyHeader(ref writer, header);
            }

            if (ShouldEncrypt(type))
            {
                WriteEncrypted(ref writer, state, body);
            }
            else
            {
                body(ref writer, state);
            }

            writer.Flush();
            _output.Enqueue(frame.WrittenSpan);
        }
        catch when (registered is not null)
        {
            _pending.TryRemove(new KeyValuePair<long, RapPendingOperation>(registered.Id, registered));
            throw;
        }
        finally
        {
            RapScratch.ReturnFrame(frame);
        }
    }

    private bool ShouldEncrypt(int type) => _context.CryptoKey is not null && (Version == RapVersion.V0538
        ? true
        : _encrypted && type is HeadMessageType.Message or HeadMessageType.Channel);

    private void WriteEncrypted<TState>(ref MessagePackWriter writer, TState state, RapBodyWriter<TState> body)
    {
        var plain = RapScratch.RentBody();
        try
        {
            var bodyWriter = new MessagePackWriter(plain);
            body(ref bodyWriter, state);
            bodyWriter.Flush();
            var now = _context.Time.GetUtcNow().ToUnixTimeSeconds();
            var sequence = new ReadOnlySequence<byte>(plain.WrittenMemory);
            var sealedBody = Version == RapVersion.Head
                ? RapCryptoEnvelope.Seal(_context.CryptoKey!, sequence, now, _context.NextNonce())
                : RapCryptoEnvelope.Seal(_context.CryptoKey!, sequence, now, RapCryptoEnvelope.NewNonce(now));
            if (sealedBody is null)
            {
                throw new RapCryptoException(0, "The value has no JSON form (bin, or a map with non-str keys) and cannot be encrypted.");
            }

            writer.Write(sealedBody.AsSpan());
        }
        finally
        {
            RapScratch.ReturnBody(plain);
        }
    }

    private static void WriteHeadHeader(ref MessagePackWriter writer, in RapRequestHeader header)
    {
        var count = (header.LifeCycle is null ? 0 : 1) + (header.EncodedTarget is null ? 0 : 1) + (header.Deadline is null ? 0 : 1) + (header.User?.Count ?? 0);
        writer.WriteMapHeader(count);
        if (header.LifeCycle is not null)
        {
            writer.Write(RapHeaderKeys.ChannelLifeCycle);
            writer.Write(header.LifeCycle);
        }

        if (header.EncodedTarget is not null)
        {
            writer.Write(RapHeaderKeys.Target);
            writer.WriteRaw(header.EncodedTarget);
        }

        if (header.Deadline is { } deadline)
        {
            writer.Write(RapHeaderKeys.Deadline);
            writer.Write(deadline);
        }

        WriteUser(ref writer, header.User);
    }

    private void WriteLegacyHeader(ref MessagePackWriter writer, in RapRequestHeader header)
    {
        var crypto = _context.CryptoKey;
        var count = 4 + (header.LifeCycle is null ? 0 : 1) + (header.ChannelId is null ? 0 : 1) + (header.SessionId is null ? 0 : 1)
            + (header.User?.Count ?? 0) + (crypto is null ? 0 : 1);
        writer.WriteMapHeader(count);
        if (header.LifeCycle is not null)
        {
            writer.Write(RapHeaderKeys.ChannelLifeCycle);
            writer.Write(header.LifeCycle);
        }

        if (header.ChannelId is not null)
        {
            writer.Write(RapHeaderKeys.ChannelId);
            writer.Write(header.ChannelId);
        }

        if (header.SessionId is not null)
        {
            writer.Write(RapHeaderKeys.SessionId);
            writer.Write(header.SessionId);
        }

        WriteStandardLegacyEntries(ref writer);
        WriteUser(ref writer, header.User);
        if (crypto is not null)
        {
            writer.Write(RapHeaderKeys.CryptoId);
            writer.Write(crypto.Id);
        }
    }

    /// <summary>host, version, user_agent, request_id: on every v0.5.3.8 client frame (§3.5).</summary>
    private void WriteStandardLegacyEntries(ref MessagePackWriter writer)
    {
        writer.Write(RapHeaderKeys.Host);
        WriteHost(ref writer);
        writer.Write(RapHeaderKeys.Version);
        writer.WriteRaw(s_version);
        writer.Write(RapHeaderKeys.UserAgent);
        writer.Write(_context.Options.EffectiveUserAgent);
        writer.Write(RapHeaderKeys.RequestId);
        writer.Write(Guid.NewGuid().ToString());
    }

    /// <summary>The server address as this side sees it: [ip, port] (4 elements for IPv6, like Python's getpeername).</summary>
    private void WriteHost(ref MessagePackWriter writer)
    {
        var remote = RemoteEndPoint;
        if (remote is null)
        {
            writer.WriteArrayHeader(2);
            writer.Write(Endpoint.Host);
            writer.Write(Endpoint.Port);
            return;
        }

        var ipv6 = remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        writer.WriteArrayHeader(ipv6 ? 4 : 2);
        writer.Write(remote.Address.ToString());
        writer.Write(remote.Port);
        if (ipv6)
        {
            writer.Write(0);
            writer.Write(remote.Address.ScopeId);
        }
    }

    private static void WriteUser(ref MessagePackWriter writer, IReadOnlyList<KeyValuePair<string, MessagePackValue>>? user)
    {
        if (user is null)
        {
            return;
        }

        for (var i = 0; i < user.Count; i++)
        {
            writer.Write(user[i].Key);
            user[i].Value.Write(ref writer);
        }
    }

    /// <summary>HEAD ids: odd, from 3, step 2 (§2.4).</summary>
    private long NextHeadId() => Interlocked.Add(ref _headId, 2);

    /// <summary>v0.5.3.8 msg_id: counter + 1, then masked to 16 bits (§3.3).</summary>
    private long NextLegacyId()
    {
        while (true)
        {
            var current = Volatile.Read(ref _legacyId);
            var next = current + 1;
            if (Interlocked.CompareExchange(ref _legacyId, next & 65535, current) == current)
            {
                return next;
            }
        }
    }

    private static byte[] Encode(string text)
    {
        var output = new PooledBufferWriter(16);
        var writer = new MessagePackWriter(output);
        writer.Write(text);
        writer.Flush();
        var bytes = output.ToArray();
        output.Dispose();
        return bytes;
    }
}
