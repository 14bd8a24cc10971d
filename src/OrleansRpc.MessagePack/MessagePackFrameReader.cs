using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace OrleansRpc.MessagePack;

/// <summary>
/// Finds where the next complete msgpack value ends in a buffer. rap writes values back to back with no
/// length prefix, so this runs over every received byte: it does not allocate, does not recurse (nesting is
/// tracked in a small explicit stack) and fails fast on declared lengths beyond the limits.
/// </summary>
public static class MessagePackFrameReader
{
    // Longest header any format needs before its payload: ext 32 = code + uint32 length + type.
    private const int MaxHeaderBytes = 6;
    private const int StackallocDepth = 128;

    internal enum TokenKind : byte
    {
        Scalar,
        String,
        Binary,
        Extension,
        Array,
        Map,
    }

    /// <summary>
    /// Finds the end of the next complete value at the start of <paramref name="buffer"/>.
    /// </summary>
    /// <returns><see cref="MessagePackFrameStatus.Complete"/> with <paramref name="end"/> just after the value, or
    /// <see cref="MessagePackFrameStatus.NeedMoreData"/> (with <paramref name="end"/> = buffer start) when the value is truncated.</returns>
    /// <exception cref="MessagePackSerializationException">0xc1 appears where a value must start.</exception>
    /// <exception cref="MessagePackLimitExceededException">The value is, or is declared to be, over a limit.</exception>
    public static MessagePackFrameStatus TryReadNext(in ReadOnlySequence<byte> buffer, MessagePackReaderOptions options, out SequencePosition end)
    {
        ArgumentNullException.ThrowIfNull(options);
        return TryReadNext(buffer, options, 0, out end);
    }

    /// <summary>As <see cref="TryReadNext(in ReadOnlySequence{byte}, MessagePackReaderOptions, out SequencePosition)"/> with the default options.</summary>
    public static MessagePackFrameStatus TryReadNext(in ReadOnlySequence<byte> buffer, out SequencePosition end) =>
        TryReadNext(buffer, MessagePackReaderOptions.Default, 0, out end);

    /// <summary>Span form: <paramref name="length"/> is the byte length of the complete value at the start of <paramref name="buffer"/>.</summary>
    [SkipLocalsInit] // the depth stack is written before it is read: no need to zero it on every call
    public static MessagePackFrameStatus TryReadNext(ReadOnlySpan<byte> buffer, MessagePackReaderOptions options, out int length)
    {
        ArgumentNullException.ThrowIfNull(options);
        int maxDepth = options.MaxDepth;
        long[]? rented = null;
        Span<long> stack = maxDepth < StackallocDepth ? stackalloc long[maxDepth + 1] : (rented = ArrayPool<long>.Shared.Rent(maxDepth + 1));
        try
        {
            long consumed = ScanSpan(buffer, options, 0, stack);
            length = (int)Math.Max(consumed, 0);
            return consumed < 0 ? MessagePackFrameStatus.NeedMoreData : MessagePackFrameStatus.Complete;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<long>.Shared.Return(rented);
            }
        }
    }

    [SkipLocalsInit]
    internal static MessagePackFrameStatus TryReadNext(in ReadOnlySequence<byte> buffer, MessagePackReaderOptions options, int initialDepth, out SequencePosition end)
    {
        int maxDepth = options.MaxDepth;
        long[]? rented = null;
        Span<long> stack = maxDepth < StackallocDepth ? stackalloc long[maxDepth + 1] : (rented = ArrayPool<long>.Shared.Rent(maxDepth + 1));
        try
        {
            long consumed;
            if (buffer.IsSingleSegment)
            {
                consumed = ScanSpan(buffer.FirstSpan, options, initialDepth, stack);
            }
            else
            {
                // Most frames lie within the first segment: scan it as a span first, and walk the segments
                // only when the value goes past it. The checks depend only on the bytes seen, so both scans agree.
                consumed = ScanSpan(buffer.FirstSpan, options, initialDepth, stack);
                if (consumed < 0)
                {
                    consumed = ScanSequence(buffer, options, initialDepth, stack);
                }
            }

            if (consumed < 0)
            {
                end = buffer.Start;
                return MessagePackFrameStatus.NeedMoreData;
            }

            end = buffer.GetPosition(consumed);
            return MessagePackFrameStatus.Complete;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<long>.Shared.Return(rented);
            }
        }
    }

    // Returns the value's length, or -1 when more data is needed.
    private static long ScanSpan(ReadOnlySpan<byte> span, MessagePackReaderOptions options, int initialDepth, Span<long> stack)
    {
        long maxFrame = options.MaxFrameBytes;
        int depth = 0;
        long pendingItems = 0; // sum of the stack: each pending item needs at least one more byte
        long elements = 0; // containers' declared items so far (MaxFrameElements)
        long pos = 0;
        while (true)
        {
            if (pos >= span.Length)
            {
                return -1;
            }

            ReadOnlySpan<byte> head = span.Slice((int)pos);
            byte code = head[0];
            long headerSize;
            long payload;
            TokenKind kind;
            if (code <= MessagePackCode.MaxFixInt || code >= MessagePackCode.MinNegativeFixInt)
            {
                // Fast path for the commonest token.
                headerSize = 1;
                payload = 0;
                kind = TokenKind.Scalar;
            }
            else if (!DecodeHeader(head, out headerSize, out payload, out kind))
            {
                return -1;
            }

            long end = pos + headerSize;
            if (kind >= TokenKind.Array)
            {
                CheckContainer(kind, payload, options, initialDepth + depth + 1);
                long items = kind == TokenKind.Map ? payload * 2 : payload;
                CheckFrame(maxFrame, end + pendingItems + items);
                elements += items;
                CheckElements(options, elements);
                pos = end;
                if (items > 0)
                {
                    stack[++depth] = items;
                    pendingItems += items;
                    continue;
                }
            }
            else
            {
                if (kind != TokenKind.Scalar)
                {
                    CheckPayload(kind, payload, options);
                }

                end += payload;
                CheckFrame(maxFrame, end + pendingItems);
                pos = end;
                if (pos > span.Length)
                {
                    return -1;
                }
            }

            // A value completed: close every container it completes.
            while (true)
            {
                if (depth == 0)
                {
                    return pos;
                }

                pendingItems--;
                if (--stack[depth] > 0)
                {
                    break;
                }

                depth--;
            }
        }
    }

    [SkipLocalsInit]
    private static long ScanSequence(in ReadOnlySequence<byte> buffer, MessagePackReaderOptions options, int initialDepth, Span<long> stack)
    {
        long maxFrame = options.MaxFrameBytes;
        var reader = new SequenceReader<byte>(buffer);
        Span<byte> scratch = stackalloc byte[MaxHeaderBytes];
        int depth = 0;
        long pendingItems = 0;
        long elements = 0;
        while (true)
        {
            scoped ReadOnlySpan<byte> head = reader.UnreadSpan;
            if (head.Length < MaxHeaderBytes)
            {
                // The header may straddle segments: copy what there is (at most 6 bytes).
                int n = (int)Math.Min(reader.Remaining, MaxHeaderBytes);
                if (n == 0)
                {
                    return -1;
                }

                Span<byte> tmp = scratch.Slice(0, n);
                reader.TryCopyTo(tmp);
                head = tmp;
            }

            if (!DecodeHeader(head, out long headerSize, out long payload, out TokenKind kind))
            {
                return -1;
            }

            long pos = reader.Consumed;
            long end = pos + headerSize;
            if (kind >= TokenKind.Array)
            {
                CheckContainer(kind, payload, options, initialDepth + depth + 1);
                long items = kind == TokenKind.Map ? payload * 2 : payload;
                CheckFrame(maxFrame, end + pendingItems + items);
                elements += items;
                CheckElements(options, elements);
                reader.Advance(headerSize);
                if (items > 0)
                {
                    stack[++depth] = items;
                    pendingItems += items;
                    continue;
                }
            }
            else
            {
                if (kind != TokenKind.Scalar)
                {
                    CheckPayload(kind, payload, options);
                }

                long size = headerSize + payload;
                CheckFrame(maxFrame, pos + size + pendingItems);
                if (reader.Remaining < size)
                {
                    return -1;
                }

                reader.Advance(size);
            }

            while (true)
            {
                if (depth == 0)
                {
                    return reader.Consumed;
                }

                pendingItems--;
                if (--stack[depth] > 0)
                {
                    break;
                }

                depth--;
            }
        }
    }

    /// <summary>
    /// Decodes the header at the start of <paramref name="head"/>. False when it is truncated.
    /// For containers <paramref name="payload"/> is the element/entry count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool DecodeHeader(ReadOnlySpan<byte> head, out long headerSize, out long payload, out TokenKind kind)
    {
        byte code = head[0];
        headerSize = 1;
        payload = 0;
        kind = TokenKind.Scalar;
        switch (code)
        {
            case <= MessagePackCode.MaxFixInt:
            case >= MessagePackCode.MinNegativeFixInt:
            case MessagePackCode.Nil:
            case MessagePackCode.False:
            case MessagePackCode.True:
                return true;
            case <= MessagePackCode.MaxFixMap:
                kind = TokenKind.Map;
                payload = code & 0x0f;
                return true;
            case <= MessagePackCode.MaxFixArray:
                kind = TokenKind.Array;
                payload = code & 0x0f;
                return true;
            case <= MessagePackCode.MaxFixStr:
                kind = TokenKind.String;
                payload = code & 0x1f;
                return true;
            case MessagePackCode.NeverUsed:
                throw NeverUsed();
            case MessagePackCode.Bin8:
                kind = TokenKind.Binary;
                return Length8(head, out headerSize, out payload);
            case MessagePackCode.Bin16:
                kind = TokenKind.Binary;
                return Length16(head, out headerSize, out payload);
            case MessagePackCode.Bin32:
                kind = TokenKind.Binary;
                return Length32(head, out headerSize, out payload);
            case MessagePackCode.Ext8:
                kind = TokenKind.Extension;
                headerSize = 3;
                if (head.Length < 3)
                {
                    return false;
                }

                payload = head[1];
                return true;
            case MessagePackCode.Ext16:
                kind = TokenKind.Extension;
                headerSize = 4;
                if (head.Length < 4)
                {
                    return false;
                }

                payload = BinaryPrimitives.ReadUInt16BigEndian(head.Slice(1));
                return true;
            case MessagePackCode.Ext32:
                kind = TokenKind.Extension;
                headerSize = 6;
                if (head.Length < 6)
                {
                    return false;
                }

                payload = BinaryPrimitives.ReadUInt32BigEndian(head.Slice(1));
                return true;
            case MessagePackCode.Float32:
            case MessagePackCode.UInt32:
            case MessagePackCode.Int32:
                payload = 4;
                return true;
            case MessagePackCode.Float64:
            case MessagePackCode.UInt64:
            case MessagePackCode.Int64:
                payload = 8;
                return true;
            case MessagePackCode.UInt8:
            case MessagePackCode.Int8:
                payload = 1;
                return true;
            case MessagePackCode.UInt16:
            case MessagePackCode.Int16:
                payload = 2;
                return true;
            case MessagePackCode.FixExt1:
                kind = TokenKind.Extension;
                headerSize = 2;
                payload = 1;
                return true;
            case MessagePackCode.FixExt2:
                kind = TokenKind.Extension;
                headerSize = 2;
                payload = 2;
                return true;
            case MessagePackCode.FixExt4:
                kind = TokenKind.Extension;
                headerSize = 2;
                payload = 4;
                return true;
            case MessagePackCode.FixExt8:
                kind = TokenKind.Extension;
                headerSize = 2;
                payload = 8;
                return true;
            case MessagePackCode.FixExt16:
                kind = TokenKind.Extension;
                headerSize = 2;
                payload = 16;
                return true;
            case MessagePackCode.Str8:
                kind = TokenKind.String;
                return Length8(head, out headerSize, out payload);
            case MessagePackCode.Str16:
                kind = TokenKind.String;
                return Length16(head, out headerSize, out payload);
            case MessagePackCode.Str32:
                kind = TokenKind.String;
                return Length32(head, out headerSize, out payload);
            case MessagePackCode.Array16:
                kind = TokenKind.Array;
                return Length16(head, out headerSize, out payload);
            case MessagePackCode.Array32:
                kind = TokenKind.Array;
                return Length32(head, out headerSize, out payload);
            case MessagePackCode.Map16:
                kind = TokenKind.Map;
                return Length16(head, out headerSize, out payload);
            default: // Map32
                kind = TokenKind.Map;
                return Length32(head, out headerSize, out payload);
        }
    }

    private static bool Length8(ReadOnlySpan<byte> head, out long headerSize, out long payload)
    {
        headerSize = 2;
        payload = head.Length >= 2 ? head[1] : 0;
        return head.Length >= 2;
    }

    private static bool Length16(ReadOnlySpan<byte> head, out long headerSize, out long payload)
    {
        headerSize = 3;
        payload = head.Length >= 3 ? BinaryPrimitives.ReadUInt16BigEndian(head.Slice(1)) : 0;
        return head.Length >= 3;
    }

    private static bool Length32(ReadOnlySpan<byte> head, out long headerSize, out long payload)
    {
        headerSize = 5;
        payload = head.Length >= 5 ? BinaryPrimitives.ReadUInt32BigEndian(head.Slice(1)) : 0;
        return head.Length >= 5;
    }

    internal static void CheckContainer(TokenKind kind, long count, MessagePackReaderOptions options, int depth)
    {
        if (depth > options.MaxDepth)
        {
            throw new MessagePackLimitExceededException(nameof(MessagePackReaderOptions.MaxDepth), options.MaxDepth, depth);
        }

        if (kind == TokenKind.Array)
        {
            if (count > options.MaxArrayLength)
            {
                throw new MessagePackLimitExceededException(nameof(MessagePackReaderOptions.MaxArrayLength), options.MaxArrayLength, count);
            }
        }
        else if (count > options.MaxMapLength)
        {
            throw new MessagePackLimitExceededException(nameof(MessagePackReaderOptions.MaxMapLength), options.MaxMapLength, count);
        }
    }

    internal static void CheckPayload(TokenKind kind, long length, MessagePackReaderOptions options)
    {
        if (kind == TokenKind.String)
        {
            if (length > options.MaxStringLength)
            {
                throw new MessagePackLimitExceededException(nameof(MessagePackReaderOptions.MaxStringLength), options.MaxStringLength, length);
            }
        }
        else if (length > options.MaxBinaryLength)
        {
            throw new MessagePackLimitExceededException(nameof(MessagePackReaderOptions.MaxBinaryLength), options.MaxBinaryLength, length);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CheckFrame(long maxFrame, long minimumSize)
    {
        if (minimumSize > maxFrame)
        {
            ThrowFrame(maxFrame, minimumSize);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CheckElements(MessagePackReaderOptions options, long elements)
    {
        if (elements > options.MaxFrameElements)
        {
            ThrowElements(options.MaxFrameElements, elements);
        }
    }

    private static void ThrowElements(long maxElements, long elements) =>
        throw new MessagePackLimitExceededException(nameof(MessagePackReaderOptions.MaxFrameElements), maxElements, elements);

    private static void ThrowFrame(long maxFrame, long minimumSize) =>
        throw new MessagePackLimitExceededException(nameof(MessagePackReaderOptions.MaxFrameBytes), maxFrame, minimumSize);

    private static MessagePackSerializationException NeverUsed() =>
        new("Invalid msgpack: format byte 0xc1 is never used.");
}
