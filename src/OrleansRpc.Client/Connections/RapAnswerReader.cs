using System.Buffers;
using OrleansRpc.Client.Serialization;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Errors;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Client.Connections;

/// <summary>Turns answer frames into results or typed exceptions, the way rap's clients read them (§2.6, §2.8, §3.8).</summary>
internal static class RapAnswerReader
{
    public static T ReadHeadCallResult<T>(in RapFrame frame, MessagePackReaderOptions options)
    {
        if (frame.MessageType != HeadMessageType.Message)
        {
            throw new RapRemoteException(0, "RPCError", $"response num must:{HeadMessageType.Message} not {frame.MessageType}") { Kind = RapErrorKind.RpcError };
        }

        if (GetHeadError(frame, options) is { } error)
        {
            throw error;
        }

        return RapSerializer.Deserialize<T>(frame.Body, options);
    }

    /// <summary>The exception a HEAD answer stands for, or <see langword="null"/> for success (any status not in the table).</summary>
    public static RapRemoteException? GetHeadError(in RapFrame frame, MessagePackReaderOptions options)
    {
        var status = frame.Header.StatusCode ?? RapStatusCodes.Ok;
        if (status == RapStatusCodes.HeadInvokeError)
        {
            var body = MessagePackValue.Parse(frame.Body, options);
            if (body.Kind == MessagePackValueKind.Array && body.AsArray().Count >= 2)
            {
                return RapRemoteException.FromInvokeError(status, Text(body[0]), Text(body[1]));
            }

            return new RapInvokeException(status, "InvokeError", Text(body));
        }

        if (RapStatusCodes.FromWire(status, RapVersion.Head) is { } kind)
        {
            return RapRemoteException.FromStatus(status, kind, Text(MessagePackValue.Parse(frame.Body, options)));
        }

        return null;
    }

    /// <summary>Reads a v0.5.3.8 answer: status table, then <c>exc</c>/<c>exc_info</c>, then <c>result</c>.</summary>
    public static T ReadLegacyCallResult<T>(in RapFrame frame, MessagePackReaderOptions options, bool generatorStep, out long callId, out bool ended)
    {
        callId = -1;
        ended = false;
        if (GetLegacyStatusError(frame, options) is { } statusError)
        {
            throw statusError;
        }

        var status = frame.Header.StatusCode ?? 500;
        if (generatorStep && status == RapStatusCodes.LegacyGeneratorEnd)
        {
            ended = true;
            callId = ReadCallId(frame.Body, options);
            return default!;
        }

        if (frame.MessageType != LegacyMessageType.MessageResponse)
        {
            throw new RapRemoteException(0, "RPCError", $"request num must:{LegacyMessageType.MessageResponse} not {frame.MessageType}") { Kind = RapErrorKind.RpcError };
        }

        var reader = new MessagePackReader(frame.Body, options);
        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            throw new RapProtocolException("A v0.5.3.8 answer body must be a map.");
        }

        var count = reader.ReadMapHeader();
        string? exc = null, excInfo = null;
        ReadOnlySequence<byte>? result = null;
        for (var i = 0; i < count; i++)
        {
            var key = RapObjectConverter.ReadKey(ref reader);
            switch (key)
            {
                case "call_id":
                    callId = reader.NextMessagePackType == MessagePackType.Integer ? ReadInt(ref reader) : SkipMinusOne(ref reader);
                    break;
                case "exc":
                    exc = Text(MessagePackValue.Read(ref reader));
                    break;
                case "exc_info":
                    excInfo = Text(MessagePackValue.Read(ref reader));
                    break;
                case "result":
                    result = reader.ReadRaw();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (exc is not null)
        {
            throw RapRemoteException.FromInvokeError(status, exc, excInfo ?? string.Empty);
        }

        if (excInfo is not null)
        {
            // rap raises RuntimeError when the answer names no class (§3.8 step 3).
            throw new RapInvokeException(status, "RuntimeError", excInfo);
        }

        if (result is null)
        {
            throw new RapProtocolException("The answer has no 'result'.");
        }

        return RapSerializer.Deserialize<T>(result.Value, options);
    }

    public static RapRemoteException? GetLegacyStatusError(in RapFrame frame, MessagePackReaderOptions options)
    {
        if (frame.MessageType == LegacyMessageType.ServerErrorResponse)
        {
            return RapRemoteException.FromStatus(500, RapErrorKind.ServerError, Text(MessagePackValue.Parse(frame.Body, options)));
        }

        // A missing status_code reads as 500 in rap's client (§3.5).
        var status = frame.Header.StatusCode ?? 500;
        if (RapStatusCodes.FromWire(status, RapVersion.V0538) is { } kind)
        {
            return RapRemoteException.FromStatus(status, kind, Text(MessagePackValue.Parse(frame.Body, options)));
        }

        return null;
    }

    public static string Text(MessagePackValue value) => value.Kind switch
    {
        MessagePackValueKind.String => value.AsString(),
        MessagePackValueKind.Nil => string.Empty,
        MessagePackValueKind.Binary => System.Text.Encoding.UTF8.GetString(value.AsBinary().Span),
        _ => value.ToString(),
    };

    private static long ReadCallId(in ReadOnlySequence<byte> body, MessagePackReaderOptions options)
    {
        var value = MessagePackValue.Parse(body, options);
        return value.Kind == MessagePackValueKind.Map && value.TryGetValue("call_id", out var id) && id.IsInteger
            ? (id.Kind == MessagePackValueKind.UnsignedInteger ? (long)id.AsUInt64() : id.AsInt64())
            : -1;
    }

    private static long ReadInt(ref MessagePackReader reader) =>
        reader.NextCode == MessagePackCode.UInt64 ? unchecked((long)reader.ReadUInt64()) : reader.ReadInt64();

    private static long SkipMinusOne(ref MessagePackReader reader)
    {
        reader.Skip();
        return -1;
    }
}
