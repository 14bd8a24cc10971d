using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace OrleansRpc.MessagePack;

/// <summary>
/// Writes msgpack into an <see cref="IBufferWriter{T}"/>, always in the smallest encoding.
/// Bytes are buffered in the span last obtained from the output: call <see cref="Flush"/> before
/// using the output. Pass it by <c>ref</c>.
/// </summary>
public ref struct MessagePackWriter
{
    private readonly IBufferWriter<byte> _output;
    private Span<byte> _span;
    private int _pos;

    public MessagePackWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _span = default;
        _pos = 0;
    }

    /// <summary>Commits buffered bytes to the output.</summary>
    public void Flush()
    {
        if (_pos > 0)
        {
            _output.Advance(_pos);
        }

        _span = default;
        _pos = 0;
    }

    public void WriteNil() => WriteByte(MessagePackCode.Nil);

    public void Write(bool value) => WriteByte(value ? MessagePackCode.True : MessagePackCode.False);

    public void Write(sbyte value) => Write((long)value);

    public void Write(short value) => Write((long)value);

    public void Write(int value) => Write((long)value);

    /// <summary>Negative values: negative fixint or int 8..64; non-negative ones as unsigned (like Python).</summary>
    public void Write(long value)
    {
        if (value >= 0)
        {
            Write((ulong)value);
            return;
        }

        if (value >= -32)
        {
            WriteByte(unchecked((byte)value));
        }
        else if (value >= sbyte.MinValue)
        {
            Span<byte> s = GetSpan(2);
            s[0] = MessagePackCode.Int8;
            s[1] = unchecked((byte)value);
            _pos += 2;
        }
        else if (value >= short.MinValue)
        {
            Span<byte> s = GetSpan(3);
            s[0] = MessagePackCode.Int16;
            BinaryPrimitives.WriteInt16BigEndian(s.Slice(1), (short)value);
            _pos += 3;
        }
        else if (value >= int.MinValue)
        {
            Span<byte> s = GetSpan(5);
            s[0] = MessagePackCode.Int32;
            BinaryPrimitives.WriteInt32BigEndian(s.Slice(1), (int)value);
            _pos += 5;
        }
        else
        {
            Span<byte> s = GetSpan(9);
            s[0] = MessagePackCode.Int64;
            BinaryPrimitives.WriteInt64BigEndian(s.Slice(1), value);
            _pos += 9;
        }
    }

    public void Write(byte value) => Write((ulong)value);

    public void Write(ushort value) => Write((ulong)value);

    public void Write(uint value) => Write((ulong)value);

    public void Write(ulong value)
    {
        if (value <= MessagePackCode.MaxFixInt)
        {
            WriteByte((byte)value);
        }
        else if (value <= byte.MaxValue)
        {
            Span<byte> s = GetSpan(2);
            s[0] = MessagePackCode.UInt8;
            s[1] = (byte)value;
            _pos += 2;
        }
        else if (value <= ushort.MaxValue)
        {
            Span<byte> s = GetSpan(3);
            s[0] = MessagePackCode.UInt16;
            BinaryPrimitives.WriteUInt16BigEndian(s.Slice(1), (ushort)value);
            _pos += 3;
        }
        else if (value <= uint.MaxValue)
        {
            Span<byte> s = GetSpan(5);
            s[0] = MessagePackCode.UInt32;
            BinaryPrimitives.WriteUInt32BigEndian(s.Slice(1), (uint)value);
            _pos += 5;
        }
        else
        {
            Span<byte> s = GetSpan(9);
            s[0] = MessagePackCode.UInt64;
            BinaryPrimitives.WriteUInt64BigEndian(s.Slice(1), value);
            _pos += 9;
        }
    }

    /// <summary>Always float 32.</summary>
    public void Write(float value)
    {
        Span<byte> s = GetSpan(5);
        s[0] = MessagePackCode.Float32;
        BinaryPrimitives.WriteSingleBigEndian(s.Slice(1), value);
        _pos += 5;
    }

    /// <summary>Always float 64 (what Python sends for every float).</summary>
    public void Write(double value)
    {
        Span<byte> s = GetSpan(9);
        s[0] = MessagePackCode.Float64;
        BinaryPrimitives.WriteDoubleBigEndian(s.Slice(1), value);
        _pos += 9;
    }

    /// <summary>A str (null writes nil). Lone surrogates become U+FFFD.</summary>
    public void Write(string? value)
    {
        if (value is null)
        {
            WriteNil();
            return;
        }

        Write(value.AsSpan());
    }

    public void Write(ReadOnlySpan<char> value)
    {
        // Short strings (the hot case: map keys, targets) are encoded in one pass; the bytes are moved
        // one to the left afterwards when they fit a fixstr, keeping the smallest encoding.
        if (value.Length <= 85)
        {
            Span<byte> s = GetSpan(2 + (value.Length * 3));
            int n = Encoding.UTF8.GetBytes(value, s.Slice(2));
            if (n <= 31)
            {
                s.Slice(2, n).CopyTo(s.Slice(1));
                s[0] = (byte)(MessagePackCode.MinFixStr | n);
                _pos += 1 + n;
            }
            else
            {
                s[0] = MessagePackCode.Str8;
                s[1] = (byte)n;
                _pos += 2 + n;
            }

            return;
        }

        int byteCount = Encoding.UTF8.GetByteCount(value);
        WriteStringHeader(byteCount);
        Span<byte> body = GetSpan(byteCount);
        Encoding.UTF8.GetBytes(value, body);
        _pos += byteCount;
    }

    /// <summary>A str from already-encoded UTF-8 bytes (not validated).</summary>
    public void WriteString(ReadOnlySpan<byte> utf8)
    {
        WriteStringHeader(utf8.Length);
        WriteRaw(utf8);
    }

    /// <summary>A bin (bin 8/16/32).</summary>
    public void Write(ReadOnlySpan<byte> bin)
    {
        WriteBinHeader(bin.Length);
        WriteRaw(bin);
    }

    public void WriteBinHeader(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length <= byte.MaxValue)
        {
            Span<byte> s = GetSpan(2);
            s[0] = MessagePackCode.Bin8;
            s[1] = (byte)length;
            _pos += 2;
        }
        else if (length <= ushort.MaxValue)
        {
            Span<byte> s = GetSpan(3);
            s[0] = MessagePackCode.Bin16;
            BinaryPrimitives.WriteUInt16BigEndian(s.Slice(1), (ushort)length);
            _pos += 3;
        }
        else
        {
            Span<byte> s = GetSpan(5);
            s[0] = MessagePackCode.Bin32;
            BinaryPrimitives.WriteUInt32BigEndian(s.Slice(1), (uint)length);
            _pos += 5;
        }
    }

    public void WriteStringHeader(int byteCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteCount);
        if (byteCount <= 31)
        {
            WriteByte((byte)(MessagePackCode.MinFixStr | byteCount));
        }
        else if (byteCount <= byte.MaxValue)
        {
            Span<byte> s = GetSpan(2);
            s[0] = MessagePackCode.Str8;
            s[1] = (byte)byteCount;
            _pos += 2;
        }
        else if (byteCount <= ushort.MaxValue)
        {
            Span<byte> s = GetSpan(3);
            s[0] = MessagePackCode.Str16;
            BinaryPrimitives.WriteUInt16BigEndian(s.Slice(1), (ushort)byteCount);
            _pos += 3;
        }
        else
        {
            Span<byte> s = GetSpan(5);
            s[0] = MessagePackCode.Str32;
            BinaryPrimitives.WriteUInt32BigEndian(s.Slice(1), (uint)byteCount);
            _pos += 5;
        }
    }

    public void WriteArrayHeader(int count) => WriteArrayHeader((uint)CheckCount(count));

    public void WriteArrayHeader(uint count) => WriteCollectionHeader(count, MessagePackCode.MinFixArray, MessagePackCode.Array16, MessagePackCode.Array32);

    public void WriteMapHeader(int count) => WriteMapHeader((uint)CheckCount(count));

    public void WriteMapHeader(uint count) => WriteCollectionHeader(count, MessagePackCode.MinFixMap, MessagePackCode.Map16, MessagePackCode.Map32);

    /// <summary>fixext 1/2/4/8/16 when the length fits exactly, otherwise ext 8/16/32.</summary>
    public void WriteExtensionFormatHeader(ExtensionHeader header)
    {
        uint length = header.Length;
        byte type = unchecked((byte)header.TypeCode);
        byte fix = length switch
        {
            1 => MessagePackCode.FixExt1,
            2 => MessagePackCode.FixExt2,
            4 => MessagePackCode.FixExt4,
            8 => MessagePackCode.FixExt8,
            16 => MessagePackCode.FixExt16,
            _ => 0,
        };
        if (fix != 0)
        {
            Span<byte> s = GetSpan(2);
            s[0] = fix;
            s[1] = type;
            _pos += 2;
        }
        else if (length <= byte.MaxValue)
        {
            Span<byte> s = GetSpan(3);
            s[0] = MessagePackCode.Ext8;
            s[1] = (byte)length;
            s[2] = type;
            _pos += 3;
        }
        else if (length <= ushort.MaxValue)
        {
            Span<byte> s = GetSpan(4);
            s[0] = MessagePackCode.Ext16;
            BinaryPrimitives.WriteUInt16BigEndian(s.Slice(1), (ushort)length);
            s[3] = type;
            _pos += 4;
        }
        else
        {
            Span<byte> s = GetSpan(6);
            s[0] = MessagePackCode.Ext32;
            BinaryPrimitives.WriteUInt32BigEndian(s.Slice(1), length);
            s[5] = type;
            _pos += 6;
        }
    }

    public void WriteExtensionFormat(ExtensionResult extension)
    {
        WriteExtensionFormatHeader(extension.Header);
        WriteRaw(extension.Data);
    }

    public void WriteExtensionFormat(sbyte typeCode, ReadOnlySpan<byte> data)
    {
        WriteExtensionFormatHeader(new ExtensionHeader(typeCode, (uint)data.Length));
        WriteRaw(data);
    }

    /// <summary>A timestamp (ext -1) in the smallest of its three forms.</summary>
    public void Write(DateTime value) => Write(MessagePackTimestamp.FromDateTime(value));

    /// <summary>A timestamp (ext -1): 32-bit form for whole seconds in 0..2^32-1, 64-bit for seconds in 0..2^34-1, else 96-bit.</summary>
    public void Write(MessagePackTimestamp value)
    {
        long seconds = value.Seconds;
        uint nanos = value.Nanoseconds;
        if ((ulong)seconds >> 34 == 0)
        {
            ulong data64 = ((ulong)nanos << 34) | (ulong)seconds;
            if ((data64 & 0xffffffff00000000UL) == 0)
            {
                Span<byte> s = GetSpan(6);
                s[0] = MessagePackCode.FixExt4;
                s[1] = 0xff;
                BinaryPrimitives.WriteUInt32BigEndian(s.Slice(2), (uint)data64);
                _pos += 6;
            }
            else
            {
                Span<byte> s = GetSpan(10);
                s[0] = MessagePackCode.FixExt8;
                s[1] = 0xff;
                BinaryPrimitives.WriteUInt64BigEndian(s.Slice(2), data64);
                _pos += 10;
            }
        }
        else
        {
            Span<byte> s = GetSpan(15);
            s[0] = MessagePackCode.Ext8;
            s[1] = 12;
            s[2] = 0xff;
            BinaryPrimitives.WriteUInt32BigEndian(s.Slice(3), nanos);
            BinaryPrimitives.WriteInt64BigEndian(s.Slice(7), seconds);
            _pos += 15;
        }
    }

    /// <summary>Copies pre-encoded msgpack (or payload bytes after a header) as is.</summary>
    public void WriteRaw(ReadOnlySpan<byte> raw)
    {
        if (_span.Length - _pos >= raw.Length)
        {
            raw.CopyTo(_span.Slice(_pos));
            _pos += raw.Length;
            return;
        }

        while (raw.Length > 0)
        {
            // Chunked so a huge payload never needs one huge span from the output.
            Span<byte> s = GetSpan(Math.Min(raw.Length, 4096));
            int n = Math.Min(raw.Length, s.Length);
            raw.Slice(0, n).CopyTo(s);
            _pos += n;
            raw = raw.Slice(n);
        }
    }

    public void WriteRaw(in ReadOnlySequence<byte> raw)
    {
        foreach (ReadOnlyMemory<byte> segment in raw)
        {
            WriteRaw(segment.Span);
        }
    }

    private static int CheckCount(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return count;
    }

    private void WriteCollectionHeader(uint count, byte fix, byte code16, byte code32)
    {
        if (count <= 15)
        {
            WriteByte((byte)(fix | count));
        }
        else if (count <= ushort.MaxValue)
        {
            Span<byte> s = GetSpan(3);
            s[0] = code16;
            BinaryPrimitives.WriteUInt16BigEndian(s.Slice(1), (ushort)count);
            _pos += 3;
        }
        else
        {
            Span<byte> s = GetSpan(5);
            s[0] = code32;
            BinaryPrimitives.WriteUInt32BigEndian(s.Slice(1), count);
            _pos += 5;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteByte(byte value)
    {
        GetSpan(1)[0] = value;
        _pos++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> GetSpan(int size)
    {
        if (_span.Length - _pos < size)
        {
            Grow(size);
        }

        return _span.Slice(_pos);
    }

    private void Grow(int size)
    {
        if (_output is null)
        {
            throw new InvalidOperationException("The writer has no output.");
        }

        if (_pos > 0)
        {
            _output.Advance(_pos);
            _pos = 0;
        }

        _span = _output.GetSpan(size);
        if (_span.Length < size)
        {
            throw new InvalidOperationException("The output returned a span smaller than requested.");
        }
    }
}
