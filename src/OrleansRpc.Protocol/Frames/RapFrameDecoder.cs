using System.Buffers;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Protocol.Frames;

/// <summary>Decodes one complete msgpack value (found by <see cref="MessagePackFrameReader"/>) as a rap frame.</summary>
public static class RapFrameDecoder
{
    /// <summary>Message type reported for a type element that is an int outside the <see cref="int"/> range.</summary>
    public const int OutOfRangeMessageType = int.MinValue;

    /// <summary>
    /// Decodes <paramref name="frameBytes"/> (exactly one msgpack value) with the layout of <paramref name="version"/>.
    /// The body is not decoded, only (when <paramref name="validateBody"/>) checked for non-str map keys.
    /// </summary>
    public static RapDecodeStatus TryDecode(
        in ReadOnlySequence<byte> frameBytes,
        RapVersion version,
        MessagePackReaderOptions options,
        bool validateBody,
        out RapFrame frame) => TryDecode(frameBytes, version, options, validateBody, null, out frame);

    /// <summary>
    /// Decodes like <see cref="TryDecode(in ReadOnlySequence{byte}, RapVersion, MessagePackReaderOptions, bool, out RapFrame)"/>,
    /// reusing what <paramref name="headerCache"/> (one per connection) remembers: the header of a call or channel frame
    /// whose bytes were seen before is the same frozen <see cref="RapHeader"/>, and v0.5.3.8 group and function names
    /// are interned, so a repeated plain call decodes without allocating.
    /// </summary>
    public static RapDecodeStatus TryDecode(
        in ReadOnlySequence<byte> frameBytes,
        RapVersion version,
        MessagePackReaderOptions options,
        bool validateBody,
        RapHeaderCache? headerCache,
        out RapFrame frame)
    {
        frame = default;
        try
        {
            var reader = new MessagePackReader(frameBytes, options);
            if (reader.NextMessagePackType != MessagePackType.Array)
            {
                return RapDecodeStatus.NotArray;
            }

            var length = reader.ReadArrayHeader();
            if (version == RapVersion.Head ? length < 4 : length != 6)
            {
                return RapDecodeStatus.WrongLength;
            }

            if (reader.NextMessagePackType != MessagePackType.Integer)
            {
                return RapDecodeStatus.InvalidMessageType;
            }

            var messageType = ReadMessageType(ref reader);
            if (reader.NextMessagePackType != MessagePackType.Integer || !TryReadInt64(ref reader, out var id))
            {
                return RapDecodeStatus.InvalidId;
            }

            // Events (HEAD DECLARE, pings) are rare: only calls and channel frames go through the cache.
            var cache = IsCallOrChannel(version, messageType) ? headerCache : null;
            string? group = null, name = null;
            if (version == RapVersion.V0538)
            {
                if (reader.NextMessagePackType != MessagePackType.String)
                {
                    return RapDecodeStatus.InvalidAddress;
                }

                group = cache is null ? reader.ReadString()! : cache.ReadString(ref reader);
                if (reader.NextMessagePackType != MessagePackType.String)
                {
                    return RapDecodeStatus.InvalidAddress;
                }

                name = cache is null ? reader.ReadString()! : cache.ReadString(ref reader);
            }

            if (!RapHeader.TryRead(ref reader, cache, out var header))
            {
                return RapDecodeStatus.InvalidHeader;
            }

            var bodyStart = reader.Position;
            try
            {
                if (validateBody)
                {
                    if (!RapBodyValidator.TrySkipValidated(ref reader))
                    {
                        return RapDecodeStatus.InvalidBody;
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
            catch (MessagePackLimitExceededException ex) when (ex.Limit == nameof(MessagePackReaderOptions.MaxDepth))
            {
                // The frame itself is complete (it was found within the frame depth): only the body nests deeper than
                // values are decoded. That is the caller's bad parameter, answered for that request alone.
                var rest = frameBytes.Slice(bodyStart);
                frame = version == RapVersion.Head
                    ? new RapFrame(messageType, id, header, rest)
                    : new RapFrame(messageType, id, group!, name!, header, rest);
                return RapDecodeStatus.BodyTooDeep;
            }

            var body = frameBytes.Slice(bodyStart, reader.Position);
            frame = version == RapVersion.Head
                ? new RapFrame(messageType, id, header, body)
                : new RapFrame(messageType, id, group!, name!, header, body);
            return RapDecodeStatus.Ok;
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or OverflowException or InvalidOperationException)
        {
            return RapDecodeStatus.Malformed;
        }
    }

    private static bool IsCallOrChannel(RapVersion version, int messageType) => version == RapVersion.Head
        ? messageType is HeadMessageType.Message or HeadMessageType.Channel
        : messageType is LegacyMessageType.MessageRequest or LegacyMessageType.ChannelRequest
            or LegacyMessageType.MessageResponse or LegacyMessageType.ChannelResponse;

    private static int ReadMessageType(ref MessagePackReader reader)
    {
        if (!TryReadInt64(ref reader, out var value) || value is < int.MinValue or > int.MaxValue)
        {
            return OutOfRangeMessageType;
        }

        return (int)value;
    }

    private static bool TryReadInt64(ref MessagePackReader reader, out long value)
    {
        // uint64 values above long.MaxValue are not ids any rap peer produces.
        var code = reader.NextCode;
        if (code == MessagePackCode.UInt64)
        {
            var unsigned = reader.ReadUInt64();
            value = (long)unsigned;
            return unsigned <= long.MaxValue;
        }

        value = reader.ReadInt64();
        return true;
    }
}
