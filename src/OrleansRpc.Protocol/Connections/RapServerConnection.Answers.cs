using System.Buffers;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Errors;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Protocol.Connections;

/// <summary>The application's answers: call results and errors, generators, channel traffic.</summary>
public sealed partial class RapServerConnection
{
    // Room for the frame around a result/message body; bodies that would push a frame past the limit are refused
    // (a Python peer cannot receive frames above 100 MiB, §1.5).
    private const int FrameOverhead = 64 * 1024;

    // v0.5.3.8 answer bodies are built here before they are framed; like the output, pooled only while in use.
    private readonly RapOutputBuffer _scratch = new(256);

    private const string ResultTooLarge = "Server error. the result exceeds the frame size limit";

    private bool TooLarge(int bodyLength) => bodyLength > _options.MaxFrameBytes - FrameOverhead;

    /// <summary>
    /// Answers a call with its result, given as pre-encoded msgpack (one value). Returns <see langword="false"/> when the
    /// call is unknown (already answered, or the connection ended) — the answer is then dropped.
    /// </summary>
    public bool CompleteCall(long callToken, ReadOnlySpan<byte> resultMsgpack)
    {
        if (TooLarge(resultMsgpack.Length))
        {
            return FailCall(callToken, RapErrorKind.ServerError, ResultTooLarge);
        }

        bool done;
        lock (_sync)
        {
            if (!TryTakeCall(callToken, out var call))
            {
                return false;
            }

            if (Version == RapVersion.Head)
            {
                WriteHeadSuccess(HeadMessageType.Message, call.WireId, null, resultMsgpack, call.Key);
            }
            else
            {
                // {"call_id": <id>, "result": <value>} (§3.8); a generator step carries the generator's id.
                _scratch.Reset();
                var writer = new MessagePackWriter(_scratch);
                writer.WriteMapHeader(2);
                writer.Write("call_id");
                writer.Write(call.CallId);
                writer.Write("result");
                writer.WriteRaw(resultMsgpack);
                writer.Flush();
                WriteLegacyAnswer(call, RapStatusCodes.Ok, _scratch.WrittenSpan, call.Key);
            }

            done = true;
            ReturnCall(call);
        }

        SignalOutput();
        return done;
    }

    /// <summary>Answers a call with its result value.</summary>
    public bool CompleteCall(long callToken, MessagePackValue result)
    {
        var buffer = new PooledBufferWriter(64);
        try
        {
            var writer = new MessagePackWriter(buffer);
            result.Write(ref writer);
            writer.Flush();
            return CompleteCall(callToken, buffer.WrittenSpan);
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <summary>Answers a call with a rap error: status code of <paramref name="kind"/>, body <paramref name="message"/> (never encrypted).</summary>
    public bool FailCall(long callToken, RapErrorKind kind, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        RapVersion version;
        lock (_sync)
        {
            if (Version is not { } known)
            {
                return false;
            }

            version = known;
        }

        return FailCallWithStatus(callToken, RapStatusCodes.ToWire(kind, version), message);
    }

    /// <summary>Answers a call with an explicit status code and text body (e.g. v0.5.3.8 302 is not an error: use CompleteCall).</summary>
    public bool FailCallWithStatus(long callToken, int statusCode, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_sync)
        {
            if (!TryTakeCall(callToken, out var call))
            {
                return false;
            }

            if (Version == RapVersion.Head)
            {
                WriteHeadString(HeadMessageType.Message, call.WireId, statusCode, message);
            }
            else
            {
                EndGenerator(call);
                WriteLegacyStatus(LegacyMessageType.MessageResponse, call.WireId, call.Group, call.Name, call.Header!, statusCode, message);
            }

            ReturnCall(call);
        }

        SignalOutput();
        return true;
    }

    /// <summary>
    /// Answers a call whose function raised: HEAD status 301 <c>[name, message]</c>; v0.5.3.8 status 200
    /// <c>{"call_id", "exc_info", "exc"}</c> (<c>exc</c> only for a <c>Python3-0.5.3</c> user agent, as the client
    /// needs it then and rap omits it otherwise).
    /// </summary>
    public bool FailCallWithException(long callToken, string pythonExceptionName, string message)
    {
        ArgumentNullException.ThrowIfNull(pythonExceptionName);
        ArgumentNullException.ThrowIfNull(message);
        lock (_sync)
        {
            if (!TryTakeCall(callToken, out var call))
            {
                return false;
            }

            if (Version == RapVersion.Head)
            {
                // Plain even on an encrypted connection (§7 #4).
                WriteHeadException(call.WireId, pythonExceptionName, message);
            }
            else
            {
                EndGenerator(call);
                var withName = call.Header!.UserAgent == LegacyUserAgent;
                _scratch.Reset();
                var writer = new MessagePackWriter(_scratch);
                writer.WriteMapHeader(withName ? 3 : 2);
                writer.Write("call_id");
                writer.Write(call.CallId);
                writer.Write("exc_info");
                writer.Write(message);
                if (withName)
                {
                    writer.Write("exc");
                    writer.Write(pythonExceptionName);
                }

                writer.Flush();
                WriteLegacyAnswer(call, RapStatusCodes.Ok, _scratch.WrittenSpan, call.Key);
            }

            ReturnCall(call);
        }

        SignalOutput();
        return true;
    }

    /// <summary>Answers a call with an exception, named by <paramref name="mapper"/> (default <see cref="PythonExceptionMapper.Default"/>).</summary>
    public bool FailCall(long callToken, Exception exception, IPythonExceptionMapper? mapper = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var mapped = (mapper ?? PythonExceptionMapper.Default).Map(exception);
        return FailCallWithException(callToken, mapped.Name, mapped.Message);
    }

    /// <summary>
    /// v0.5.3.8: turns a new call into an async generator and returns its id (the <c>call_id</c> later steps carry; never
    /// 0 or −1). Answer this call with the first item (<see cref="CompleteCall(long, ReadOnlySpan{byte})"/>) or
    /// <see cref="CompleteGeneratorEnd"/>. Returns <see langword="false"/> when the client's user agent is not
    /// <c>Python3-0.5.3</c>: the call was then already answered with rap's "not support generator" error (§3.9).
    /// HEAD generators are channels; calling this on a HEAD connection throws.
    /// </summary>
    public bool StartGenerator(long callToken, out long generatorId)
    {
        generatorId = 0;
        bool started;
        lock (_sync)
        {
            if (Version != RapVersion.V0538)
            {
                throw new InvalidOperationException("HEAD async generators are channels (§2.9).");
            }

            if (IsClosed || !_calls.TryGetValue(callToken, out var call))
            {
                return false;
            }

            if (call.IsGenerator)
            {
                generatorId = call.CallId;
                return true;
            }

            if (call.Header!.UserAgent != LegacyUserAgent)
            {
                _calls.Remove(callToken);
                _scratch.Reset();
                var writer = new MessagePackWriter(_scratch);
                writer.WriteMapHeader(2);
                writer.Write("call_id");
                writer.Write(-1);
                writer.Write("exc_info");
                writer.Write(RapErrorMessages.GeneratorNotSupported(call.Header.UserAgent));
                writer.Flush();
                WriteLegacyAnswer(call, RapStatusCodes.Ok, _scratch.WrittenSpan, call.Key);
                ReturnCall(call);
                started = false;
            }
            else
            {
                do
                {
                    _nextGeneratorId++;
                }
                while (_nextGeneratorId is 0 or -1 || Generators.Contains(_nextGeneratorId));

                generatorId = _nextGeneratorId;
                call.CallId = generatorId;
                call.IsGenerator = true;
                Generators.Add(generatorId);
                started = true;
            }
        }

        SignalOutput();
        return started;
    }

    /// <summary>v0.5.3.8: the generator of this call is exhausted: status 301 <c>{"call_id": id}</c>, plain (§3.9).</summary>
    public bool CompleteGeneratorEnd(long callToken)
    {
        lock (_sync)
        {
            if (!TryTakeCall(callToken, out var call))
            {
                return false;
            }

            EndGenerator(call);
            _scratch.Reset();
            var writer = new MessagePackWriter(_scratch);
            writer.WriteMapHeader(1);
            writer.Write("call_id");
            writer.Write(call.CallId);
            writer.Flush();
            WriteLegacyAnswer(call, RapStatusCodes.LegacyGeneratorEnd, _scratch.WrittenSpan, null);
            ReturnCall(call);
        }

        SignalOutput();
        return true;
    }

    private void EndGenerator(InFlightCall call)
    {
        if (call.IsGenerator)
        {
            _generators?.Remove(call.CallId);
        }
    }

    /// <summary>Accepts a channel DECLARE (HEAD <c>DECLARE</c> / v0.5.3.8 <c>declare</c> answer).</summary>
    public bool AcceptChannel(long channelToken)
    {
        lock (_sync)
        {
            if (IsClosed || !ChannelsByToken.TryGetValue(channelToken, out var channel) || channel.Accepted)
            {
                return false;
            }

            channel.Accepted = true;
            if (Version == RapVersion.Head)
            {
                WriteHeadChannelFrame(channel.WireId, RapChannelLifeCycle.HeadDeclare, NilBody);
            }
            else
            {
                WriteLegacyChannelFrame(channel, RapChannelLifeCycle.LegacyDeclare, NilBody);
            }
        }

        SignalOutput();
        return true;
    }

    /// <summary>Refuses a channel DECLARE with a rap error (e.g. FuncNotFound "Not found func. name: x"); the channel is gone.</summary>
    public bool RejectChannel(long channelToken, RapErrorKind kind, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_sync)
        {
            if (IsClosed || !RemoveChannel(channelToken, out var channel))
            {
                return false;
            }

            WriteChannelStatus(channel, RapStatusCodes.ToWire(kind, Version!.Value), message);
        }

        SignalOutput();
        return true;
    }

    /// <summary>Sends a server MSG on an open channel (pre-encoded msgpack). False when the channel is gone (client DROP).</summary>
    public bool SendChannelMessage(long channelToken, ReadOnlySpan<byte> bodyMsgpack)
    {
        if (TooLarge(bodyMsgpack.Length))
        {
            return FailChannel(channelToken, RapErrorKind.ServerError, ResultTooLarge);
        }

        lock (_sync)
        {
            if (IsClosed || !ChannelsByToken.TryGetValue(channelToken, out var channel))
            {
                return false;
            }

            if (Version == RapVersion.Head)
            {
                WriteHeadChannelFrame(channel.WireId, RapChannelLifeCycle.Message, bodyMsgpack);
            }
            else
            {
                WriteLegacyChannelFrame(channel, RapChannelLifeCycle.Message, bodyMsgpack);
            }
        }

        SignalOutput();
        return true;
    }

    /// <summary>Sends a server MSG on an open channel.</summary>
    public bool SendChannelMessage(long channelToken, MessagePackValue body)
    {
        var buffer = new PooledBufferWriter(64);
        try
        {
            var writer = new MessagePackWriter(buffer);
            body.Write(ref writer);
            writer.Flush();
            return SendChannelMessage(channelToken, buffer.WrittenSpan);
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <summary>The channel function ended: sends DROP (HEAD <c>DROP</c> / v0.5.3.8 <c>drop</c>); ends a HEAD generator's iteration.</summary>
    public bool CloseChannel(long channelToken)
    {
        lock (_sync)
        {
            if (IsClosed || !RemoveChannel(channelToken, out var channel))
            {
                return false;
            }

            WriteChannelDrop(channel);
        }

        SignalOutput();
        return true;
    }

    /// <summary>
    /// The channel function (or HEAD generator) raised. HEAD: status 301 <c>[name, message]</c> on the channel id, then
    /// DROP (§2.9 recommended; the client raises it from its read). v0.5.3.8 channels have no error frame a client
    /// would surface: only the drop is sent.
    /// </summary>
    public bool FailChannel(long channelToken, string pythonExceptionName, string message)
    {
        ArgumentNullException.ThrowIfNull(pythonExceptionName);
        ArgumentNullException.ThrowIfNull(message);
        lock (_sync)
        {
            if (IsClosed || !RemoveChannel(channelToken, out var channel))
            {
                return false;
            }

            if (Version == RapVersion.Head)
            {
                WriteHeadException(HeadMessageType.Channel, channel.WireId, pythonExceptionName, message);
            }

            WriteChannelDrop(channel);
        }

        SignalOutput();
        return true;
    }

    /// <summary>Reports a rap error on a channel (e.g. ParseError for bad generator parameters), then DROP.</summary>
    public bool FailChannel(long channelToken, RapErrorKind kind, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_sync)
        {
            if (IsClosed || !RemoveChannel(channelToken, out var channel))
            {
                return false;
            }

            WriteChannelStatus(channel, RapStatusCodes.ToWire(kind, Version!.Value), message);
            WriteChannelDrop(channel);
        }

        SignalOutput();
        return true;
    }

    private bool RemoveChannel(long token, out ChannelState channel)
    {
        if (!ChannelsByToken.Remove(token, out channel!))
        {
            return false;
        }

        if (channel.ChannelId is null)
        {
            HeadChannels.Remove(channel.WireId);
        }
        else
        {
            LegacyChannels.Remove(channel.ChannelId);
        }

        return true;
    }

    private void WriteChannelDrop(ChannelState channel)
    {
        if (Version == RapVersion.Head)
        {
            WriteHeadChannelFrame(channel.WireId, RapChannelLifeCycle.HeadDrop, NilBody);
        }
        else
        {
            WriteLegacyChannelFrame(channel, RapChannelLifeCycle.LegacyDrop, NilBody);
        }
    }

    private void WriteChannelStatus(ChannelState channel, int status, string message)
    {
        if (Version == RapVersion.Head)
        {
            WriteHeadString(HeadMessageType.Channel, channel.WireId, status, message);
        }
        else
        {
            WriteLegacyStatus(LegacyMessageType.ChannelResponse, -1, channel.Group, channel.Name, channel.Header, status, message);
        }
    }
}
