using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace OrleansRpc.MessagePack;

/// <summary>
/// Reads msgpack from a (possibly multi-segment) sequence; every read works when a value straddles
/// segments. Bad data throws <see cref="MessagePackSerializationException"/>; data that runs out throws
/// <see cref="MessagePackSerializationException"/> with an <see cref="EndOfStreamException"/> inside.
/// Limits of <see cref="Options"/> are enforced on every header. Pass it by <c>ref</c>.
/// </summary>
public ref struct MessagePackReader
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private SequenceReader<byte> _reader;
    private readonly MessagePackReaderOptions? _options;

    public MessagePackReader(ReadOnlySequence<byte> sequence)
        : this(sequence, MessagePackReaderOptions.Default)
    {
    }

    public MessagePackReader(ReadOnlySequence<byte> sequence, MessagePackReaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _reader = new SequenceReader<byte>(sequence);
        _options = options;
        Depth = 0;
    }

    public MessagePackReader(ReadOnlyMemory<byte> memory)
        : this(new ReadOnlySequence<byte>(memory), MessagePackReaderOptions.Default)
    {
    }

    public readonly MessagePackReaderOptions Options => _options ?? MessagePackReaderOptions.Default;

    public readonly ReadOnlySequence<byte> Sequence => _reader.Sequence;

    public readonly SequencePosition Position => _reader.Position;

    public readonly long Consumed => _reader.Consumed;

    public readonly bool End => _reader.End;

    /// <summary>The unread part of the sequence.</summary>
    public readonly ReadOnlySequence<byte> UnreadSequence => _reader.UnreadSequence;

    /// <summary>Current nesting depth, maintained by <see cref="MessagePackValue.Read"/> and <see cref="Skip"/>; readers of nested types may use it too.</summary>
    public int Depth { get; set; }

    public readonly byte NextCode
    {
        get
        {
            if (!_reader.TryPeek(out byte code))
            {
                throw EndOfData();
            }

            return code;
        }
    }

    public readonly MessagePackType NextMessagePackType => MessagePackCode.ToMessagePackType(NextCode);

    public readonly bool IsNil => NextCode == MessagePackCode.Nil;

    /// <summary>A reader over another sequence with the same options and depth.</summary>
    public readonly MessagePackReader Clone(ReadOnlySequence<byte> sequence) => new(sequence, Options) { Depth = Depth };

    public bool TryReadNil()
    {
        if (NextCode == MessagePackCode.Nil)
        {
            _reader.Advance(1);
            return true;
        }

        return false;
    }

    public void ReadNil()
    {
        byte code = ReadCode();
        if (code != MessagePackCode.Nil)
        {
            throw Unexpected(code, "nil");
        }
    }

    public bool ReadBoolean()
    {
        byte code = ReadCode();
        return code switch
        {
            MessagePackCode.True => true,
            MessagePackCode.False => false,
            _ => throw Unexpected(code, "bool"),
        };
    }

    public sbyte ReadSByte() => checked((sbyte)ReadInt64());

    public short ReadInt16() => checked((short)ReadInt64());

    public int ReadInt32() => checked((int)ReadInt64());

    /// <summary>Any integer encoding; <see cref="OverflowException"/> for a uint 64 above <see cref="long.MaxValue"/>.</summary>
    public long ReadInt64()
    {
        byte code = ReadCode();
        if (code <= MessagePackCode.MaxFixInt)
        {
            return code;
        }

        if (code >= MessagePackCode.MinNegativeFixInt)
        {
            return unchecked((sbyte)code);
        }

        return code switch
        {
            MessagePackCode.UInt8 => ReadU8(),
            MessagePackCode.UInt16 => ReadU16(),
            MessagePackCode.UInt32 => ReadU32(),
            MessagePackCode.UInt64 => checked((long)ReadU64()),
            MessagePackCode.Int8 => unchecked((sbyte)ReadU8()),
            MessagePackCode.Int16 => unchecked((short)ReadU16()),
            MessagePackCode.Int32 => unchecked((int)ReadU32()),
            MessagePackCode.Int64 => unchecked((long)ReadU64()),
            _ => throw Unexpected(code, "integer"),
        };
    }

    public byte ReadByte() => checked((byte)ReadUInt64());

    public ushort ReadUInt16() => checked((ushort)ReadUInt64());

    public uint ReadUInt32() => checked((uint)ReadUInt64());

    /// <summary>Any integer encoding; <see cref="OverflowException"/> for negative values.</summary>
    public ulong ReadUInt64()
    {
        byte code = ReadCode();
        if (code <= MessagePackCode.MaxFixInt)
        {
            return code;
        }

        if (code >= MessagePackCode.MinNegativeFixInt)
        {
            throw new OverflowException($"Negative msgpack integer {unchecked((sbyte)code)} read as unsigned.");
        }

        return code switch
        {
            MessagePackCode.UInt8 => ReadU8(),
            MessagePackCode.UInt16 => ReadU16(),
            MessagePackCode.UInt32 => ReadU32(),
            MessagePackCode.UInt64 => ReadU64(),
            MessagePackCode.Int8 => checked((ulong)unchecked((sbyte)ReadU8())),
            MessagePackCode.Int16 => checked((ulong)unchecked((short)ReadU16())),
            MessagePackCode.Int32 => checked((ulong)unchecked((int)ReadU32())),
            MessagePackCode.Int64 => checked((ulong)unchecked((long)ReadU64())),
            _ => throw Unexpected(code, "integer"),
        };
    }

    /// <summary>Reads an integer keeping its signedness: true for uint/positive fixint (value in <paramref name="unsignedValue"/>).</summary>
    public bool ReadInteger(out long signedValue, out ulong unsignedValue)
    {
        byte code = ReadCode();
        signedValue = 0;
        unsignedValue = 0;
        switch (code)
        {
            case <= MessagePackCode.MaxFixInt:
                unsignedValue = code;
                return true;
            case >= MessagePackCode.MinNegativeFixInt:
                signedValue = unchecked((sbyte)code);
                return false;
            case MessagePackCode.UInt8:
                unsignedValue = ReadU8();
                return true;
            case MessagePackCode.UInt16:
                unsignedValue = ReadU16();
                return true;
            case MessagePackCode.UInt32:
                unsignedValue = ReadU32();
                return true;
            case MessagePackCode.UInt64:
                unsignedValue = ReadU64();
                return true;
            case MessagePackCode.Int8:
                signedValue = unchecked((sbyte)ReadU8());
                return false;
            case MessagePackCode.Int16:
                signedValue = unchecked((short)ReadU16());
                return false;
            case MessagePackCode.Int32:
                signedValue = unchecked((int)ReadU32());
                return false;
            case MessagePackCode.Int64:
                signedValue = unchecked((long)ReadU64());
                return false;
            default:
                throw Unexpected(code, "integer");
        }
    }

    /// <summary>float 32, float 64 (narrowed) or any integer.</summary>
    public float ReadSingle()
    {
        byte code = NextCode;
        switch (code)
        {
            case MessagePackCode.Float32:
                _reader.Advance(1);
                return BitConverter.Int32BitsToSingle(unchecked((int)ReadU32()));
            case MessagePackCode.Float64:
                _reader.Advance(1);
                return (float)BitConverter.Int64BitsToDouble(unchecked((long)ReadU64()));
            default:
                return ReadInteger(out long s, out ulong u) ? u : s;
        }
    }

    /// <summary>float 64, float 32 (widened) or any integer.</summary>
    public double ReadDouble()
    {
        byte code = NextCode;
        switch (code)
        {
            case MessagePackCode.Float64:
                _reader.Advance(1);
                return BitConverter.Int64BitsToDouble(unchecked((long)ReadU64()));
            case MessagePackCode.Float32:
                _reader.Advance(1);
                return BitConverter.Int32BitsToSingle(unchecked((int)ReadU32()));
            default:
                return ReadInteger(out long s, out ulong u) ? u : s;
        }
    }

    /// <summary>A str (nil gives null). Invalid UTF-8 throws unless <see cref="MessagePackReaderOptions.ValidateUtf8"/> is off.</summary>
    public string? ReadString()
    {
        if (TryReadNil())
        {
            return null;
        }

        int length = ReadStringHeader();
        ReadOnlySpan<byte> unread = _reader.UnreadSpan;
        if (unread.Length >= length)
        {
            string s = Decode(unread.Slice(0, length));
            _reader.Advance(length);
            return s;
        }

        return ReadStringSlow(length);
    }

    /// <summary>The bytes of a str (nil gives null), as a slice of the input. Not UTF-8 validated.</summary>
    public ReadOnlySequence<byte>? ReadStringSequence()
    {
        if (TryReadNil())
        {
            return null;
        }

        int length = ReadStringHeader();
        return ReadSlice(length);
    }

    /// <summary>
    /// Reads a str without allocating when its bytes are contiguous in the input: true with the UTF-8 bytes
    /// (not validated). False, leaving the reader where it was, for nil or a str that straddles segments
    /// (use <see cref="ReadStringSequence"/> or <see cref="ReadString"/> then).
    /// </summary>
    public bool TryReadStringSpan(out ReadOnlySpan<byte> span)
    {
        if (IsNil)
        {
            span = default;
            return false;
        }

        long start = _reader.Consumed;
        int length = ReadStringHeader();
        if (_reader.Remaining < length)
        {
            throw EndOfData();
        }

        ReadOnlySpan<byte> unread = _reader.UnreadSpan;
        if (unread.Length >= length)
        {
            span = unread.Slice(0, length);
            _reader.Advance(length);
            return true;
        }

        _reader.Rewind(_reader.Consumed - start);
        span = default;
        return false;
    }

    /// <summary>Reads the next str and tells whether its bytes equal <paramref name="utf8"/> (no allocation).</summary>
    public bool ReadStringEquals(ReadOnlySpan<byte> utf8)
    {
        if (TryReadStringSpan(out ReadOnlySpan<byte> span))
        {
            return span.SequenceEqual(utf8);
        }

        ReadOnlySequence<byte>? seq = ReadStringSequence();
        if (seq is not { } s || s.Length != utf8.Length)
        {
            return false;
        }

        foreach (ReadOnlyMemory<byte> segment in s)
        {
            if (!utf8.StartsWith(segment.Span))
            {
                return false;
            }

            utf8 = utf8.Slice(segment.Length);
        }

        return true;
    }

    /// <summary>The length of a str header (fixstr, str 8/16/32), checked against <see cref="MessagePackReaderOptions.MaxStringLength"/>.</summary>
    public int ReadStringHeader()
    {
        byte code = ReadCode();
        long length = code switch
        {
            >= MessagePackCode.MinFixStr and <= MessagePackCode.MaxFixStr => code & 0x1f,
            MessagePackCode.Str8 => ReadU8(),
            MessagePackCode.Str16 => ReadU16(),
            MessagePackCode.Str32 => ReadU32(),
            _ => throw Unexpected(code, "str"),
        };
        if (length > Options.MaxStringLength)
        {
            throw new MessagePackLimitExceededException(nameof(MessagePackReaderOptions.MaxStringLength), Options.MaxStringLength, length);
        }

        return (int)length;
    }

    /// <summary>A bin (nil gives null), as a slice of the input.</summary>
    public ReadOnlySequence<byte>? ReadBytes()
    {
        if (TryReadNil())
        {
            return null;
        }

        int length = ReadBinHeader();
        return ReadSlice(length);
    }

    /// <summary>The length of a bin header, checked against <see cref="MessagePackReaderOptions.MaxBinaryLength"/>.</summary>
    public int ReadBinHeader()
    {
        byte code = ReadCode();
        long length = code switch
        {
            MessagePackCode.Bin8 => ReadU8(),
            MessagePackCode.Bin16 => ReadU16(),
            MessagePackCode.Bin32 => ReadU32(),
            _ => throw Unexpected(code, "bin"),
        };
        if (length > Options.MaxBinaryLength)
        {
            throw new MessagePackLimitExceededException(nameof(MessagePackReaderOptions.MaxBinaryLength), Options.MaxBinaryLength, length);
        }

        return (int)length;
    }

    /// <summary>
    /// The element count of an array header, checked against <see cref="MessagePackReaderOptions.MaxArrayLength"/>
    /// and against the bytes left (each element takes at least one byte), so a lying header cannot make a
    /// caller pre-allocate more than the input could fill.
    /// </summary>
    public int ReadArrayHeader()
    {
        byte code = ReadCode();
        long count;
        if (code is >= MessagePackCode.MinFixArray and <= MessagePackCode.MaxFixArray)
        {
            count = code & 0x0f;
        }
        else
        {
            count = code switch
            {
                MessagePackCode.Array16 => ReadU16(),
                MessagePackCode.Array32 => ReadU32(),
                _ => throw Unexpected(code, "array"),
            };
        }

        if (count > Options.MaxArrayLength)
        {
            throw new MessagePackLimitExceededException(nameof(MessagePackReaderOptions.MaxArrayLength), Options.MaxArrayLength, count);
        }

        if (count > _reader.Remaining)
        {
            throw EndOfData();
        }

        return (int)count;
    }

    /// <summary>The entry count of a map header; checked like <see cref="ReadArrayHeader"/> (two bytes per entry at least).</summary>
    public int ReadMapHeader()
    {
        byte code = ReadCode();
        long count;
        if (code is >= MessagePackCode.MinFixMap and <= MessagePackCode.MaxFixMap)
        {
            count = code & 0x0f;
        }
        else
        {
            count = code switch
            {
                MessagePackCode.Map16 => ReadU16(),
                MessagePackCode.Map32 => ReadU32(),
                _ => throw Unexpected(code, "map"),
            };
        }

        if (count > Options.MaxMapLength)
        {
            throw new MessagePackLimitExceededException(nameof(MessagePackReaderOptions.MaxMapLength), Options.MaxMapLength, count);
        }

        if (count * 2 > _reader.Remaining)
        {
            throw EndOfData();
        }

        return (int)count;
    }

    /// <summary>An ext header (fixext 1..16, ext 8/16/32); the length is checked against <see cref="MessagePackReaderOptions.MaxBinaryLength"/>.</summary>
    public ExtensionHeader ReadExtensionFormatHeader()
    {
        byte code = ReadCode();
        uint length = code switch
        {
            MessagePackCode.FixExt1 => 1,
            MessagePackCode.FixExt2 => 2,
            MessagePackCode.FixExt4 => 4,
            MessagePackCode.FixExt8 => 8,
            MessagePackCode.FixExt16 => 16,
            MessagePackCode.Ext8 => ReadU8(),
            MessagePackCode.Ext16 => ReadU16(),
            MessagePackCode.Ext32 => ReadU32(),
            _ => throw Unexpected(code, "ext"),
        };
        sbyte type = unchecked((sbyte)ReadU8());
        if (length > Options.MaxBinaryLength)
        {
            throw new MessagePackLimitExceededException(nameof(MessagePackReaderOptions.MaxBinaryLength), Options.MaxBinaryLength, length);
        }

        return new ExtensionHeader(type, length);
    }

    /// <summary>An ext value; its data is a slice of the input.</summary>
    public ExtensionResult ReadExtensionFormat()
    {
        ExtensionHeader header = ReadExtensionFormatHeader();
        return new ExtensionResult(header.TypeCode, ReadSlice((int)header.Length));
    }

    /// <summary>A timestamp (ext -1) in any of its three forms.</summary>
    public MessagePackTimestamp ReadTimestamp()
    {
        ExtensionHeader header = ReadExtensionFormatHeader();
        if (header.TypeCode != MessagePackTimestamp.ExtensionTypeCode)
        {
            throw new MessagePackSerializationException($"Expected a timestamp (ext -1), found ext type {header.TypeCode}.");
        }

        switch (header.Length)
        {
            case 4:
                return new MessagePackTimestamp(ReadU32(), 0);
            case 8:
            {
                ulong data = ReadU64();
                return CreateTimestamp((long)(data & 0x3_ffff_ffffUL), data >> 34);
            }

            case 12:
            {
                uint nanos = ReadU32();
                return CreateTimestamp(unchecked((long)ReadU64()), nanos);
            }

            default:
                throw new MessagePackSerializationException($"Invalid timestamp length {header.Length} (must be 4, 8 or 12).");
        }
    }

    /// <summary>A timestamp as a UTC <see cref="DateTime"/>.</summary>
    public DateTime ReadDateTime() => ReadTimestamp().ToDateTime();

    /// <summary>Skips one whole value, iteratively, enforcing the depth and length limits.</summary>
    public void Skip()
    {
        ReadOnlySequence<byte> unread = _reader.UnreadSequence;
        if (MessagePackFrameReader.TryReadNext(unread, Options, Depth, out SequencePosition end) != MessagePackFrameStatus.Complete)
        {
            throw EndOfData();
        }

        _reader.Advance(unread.Slice(0, end).Length);
    }

    /// <summary>The encoded bytes of the next whole value (a slice of the input).</summary>
    public ReadOnlySequence<byte> ReadRaw()
    {
        SequencePosition start = _reader.Position;
        Skip();
        return _reader.Sequence.Slice(start, _reader.Position);
    }

    /// <summary>The next <paramref name="length"/> bytes as a slice of the input.</summary>
    public ReadOnlySequence<byte> ReadRaw(long length) => ReadSlice(length);

    internal static MessagePackSerializationException EndOfData() =>
        new("Unexpected end of msgpack data.", new EndOfStreamException());

    private static MessagePackTimestamp CreateTimestamp(long seconds, ulong nanos)
    {
        if (nanos > 999_999_999)
        {
            throw new MessagePackSerializationException($"Invalid timestamp: {nanos} nanoseconds.");
        }

        return new MessagePackTimestamp(seconds, (uint)nanos);
    }

    private static MessagePackSerializationException Unexpected(byte code, string expected) =>
        code == MessagePackCode.NeverUsed
            ? new MessagePackSerializationException("Invalid msgpack: format byte 0xc1 is never used.")
            : new MessagePackSerializationException($"Expected msgpack {expected}, found {MessagePackCode.ToFormatName(code)} (0x{code:x2}).");

    private string Decode(ReadOnlySpan<byte> utf8)
    {
        if (!Options.ValidateUtf8)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        try
        {
            return s_strictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException ex)
        {
            throw new MessagePackSerializationException("Invalid UTF-8 in msgpack str.", ex);
        }
    }

    private string ReadStringSlow(int length)
    {
        if (_reader.Remaining < length)
        {
            throw EndOfData();
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Span<byte> bytes = rented.AsSpan(0, length);
            _reader.TryCopyTo(bytes);
            string s = Decode(bytes);
            _reader.Advance(length);
            return s;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private ReadOnlySequence<byte> ReadSlice(long length)
    {
        if (_reader.Remaining < length)
        {
            throw EndOfData();
        }

        ReadOnlySequence<byte> slice = _reader.UnreadSequence.Slice(0, length);
        _reader.Advance(length);
        return slice;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte ReadCode()
    {
        if (!_reader.TryRead(out byte code))
        {
            throw EndOfData();
        }

        return code;
    }

    private byte ReadU8() => ReadCode();

    private ushort ReadU16()
    {
        if (!_reader.TryReadBigEndian(out short value))
        {
            throw EndOfData();
        }

        return unchecked((ushort)value);
    }

    private uint ReadU32()
    {
        if (!_reader.TryReadBigEndian(out int value))
        {
            throw EndOfData();
        }

        return unchecked((uint)value);
    }

    private ulong ReadU64()
    {
        if (!_reader.TryReadBigEndian(out long value))
        {
            throw EndOfData();
        }

        return unchecked((ulong)value);
    }
}
