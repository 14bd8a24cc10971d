using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace OrleansRpc.MessagePack;

/// <summary>
/// A dynamic msgpack value (what a <c>map&lt;str, any&gt;</c> body decodes into). Keeps what is needed to
/// re-encode byte-identically what a smallest-form encoder (Python) produced: signed vs unsigned integers,
/// float 32 vs 64, str vs bin, map entry order and ext type codes. Immutable by convention: arrays returned by
/// <see cref="AsArray"/> and <see cref="AsMap"/> must not be modified.
/// </summary>
/// <remarks>
/// Equality is structural and recursive. Integer and UnsignedInteger compare by numeric value (both encode
/// the same way); floats compare by bit pattern (NaN equals the same NaN, 0.0 differs from -0.0).
/// </remarks>
public readonly struct MessagePackValue : IEquatable<MessagePackValue>
{
    private static readonly KeyValuePair<MessagePackValue, MessagePackValue>[] s_emptyMap = [];

    private readonly object? _ref;
    private readonly ulong _bits;
    private readonly MessagePackValueKind _kind;

    private MessagePackValue(MessagePackValueKind kind, ulong bits, object? reference)
    {
        _kind = kind;
        _bits = bits;
        _ref = reference;
    }

    public static MessagePackValue Nil => default;

    public MessagePackValueKind Kind => _kind;

    public bool IsNil => _kind == MessagePackValueKind.Nil;

    /// <summary>Integer or UnsignedInteger.</summary>
    public bool IsInteger => _kind is MessagePackValueKind.Integer or MessagePackValueKind.UnsignedInteger;

    public bool IsString => _kind == MessagePackValueKind.String;

    public bool IsFloat => _kind is MessagePackValueKind.Float32 or MessagePackValueKind.Float64;

    /// <summary>Elements of an array or entries of a map; 0 otherwise.</summary>
    public int Count => _ref switch
    {
        MessagePackValue[] a => a.Length,
        KeyValuePair<MessagePackValue, MessagePackValue>[] m => m.Length,
        _ => 0,
    };

    public MessagePackValue this[int index] => AsArrayStorage()[index];

    /// <exception cref="KeyNotFoundException">No entry with that str key.</exception>
    public MessagePackValue this[string key] =>
        TryGetValue(key, out MessagePackValue value) ? value : throw new KeyNotFoundException($"Key '{key}' not found in msgpack map.");

    public static implicit operator MessagePackValue(bool value) => FromBoolean(value);

    public static implicit operator MessagePackValue(int value) => FromInt64(value);

    public static implicit operator MessagePackValue(long value) => FromInt64(value);

    public static implicit operator MessagePackValue(ulong value) => FromUInt64(value);

    public static implicit operator MessagePackValue(float value) => FromSingle(value);

    public static implicit operator MessagePackValue(double value) => FromDouble(value);

    public static implicit operator MessagePackValue(string? value) => FromString(value);

    public static implicit operator MessagePackValue(byte[]? value) => value is null ? Nil : FromBinary(value);

    public static bool operator ==(MessagePackValue left, MessagePackValue right) => left.Equals(right);

    public static bool operator !=(MessagePackValue left, MessagePackValue right) => !left.Equals(right);

    public static MessagePackValue FromBoolean(bool value) => new(MessagePackValueKind.Boolean, value ? 1UL : 0UL, null);

    /// <summary>A signed integer (encoded as unsigned when non-negative, like Python).</summary>
    public static MessagePackValue FromInt64(long value) => new(MessagePackValueKind.Integer, unchecked((ulong)value), null);

    public static MessagePackValue FromUInt64(ulong value) => new(MessagePackValueKind.UnsignedInteger, value, null);

    public static MessagePackValue FromSingle(float value) => new(MessagePackValueKind.Float32, (uint)BitConverter.SingleToInt32Bits(value), null);

    public static MessagePackValue FromDouble(double value) => new(MessagePackValueKind.Float64, unchecked((ulong)BitConverter.DoubleToInt64Bits(value)), null);

    /// <summary>A str (null gives nil).</summary>
    public static MessagePackValue FromString(string? value) => value is null ? Nil : new(MessagePackValueKind.String, 0, value);

    /// <summary>A bin; the bytes are copied unless they are a whole array.</summary>
    public static MessagePackValue FromBinary(ReadOnlyMemory<byte> value) => new(MessagePackValueKind.Binary, 0, ToOwnedArray(value));

    public static MessagePackValue FromArray(IReadOnlyList<MessagePackValue> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return new(MessagePackValueKind.Array, 0, items as MessagePackValue[] ?? [.. items]);
    }

    public static MessagePackValue FromArray(params MessagePackValue[] items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return new(MessagePackValueKind.Array, 0, items);
    }

    /// <summary>A map; entry order is kept (and re-encoded as is).</summary>
    public static MessagePackValue FromMap(IReadOnlyList<KeyValuePair<MessagePackValue, MessagePackValue>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return new(MessagePackValueKind.Map, 0, entries as KeyValuePair<MessagePackValue, MessagePackValue>[] ?? [.. entries]);
    }

    /// <summary>A map with str keys, in the order given.</summary>
    public static MessagePackValue FromMap(params (string Key, MessagePackValue Value)[] entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var pairs = new KeyValuePair<MessagePackValue, MessagePackValue>[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            pairs[i] = new(FromString(entries[i].Key), entries[i].Value);
        }

        return new(MessagePackValueKind.Map, 0, pairs);
    }

    public static MessagePackValue FromExtension(sbyte typeCode, ReadOnlyMemory<byte> data) =>
        new(MessagePackValueKind.Extension, unchecked((byte)typeCode), ToOwnedArray(data));

    /// <summary>A timestamp, as ext -1 in its smallest form.</summary>
    public static MessagePackValue FromTimestamp(MessagePackTimestamp value)
    {
        using var buffer = new PooledBufferWriter(16);
        var writer = new MessagePackWriter(buffer);
        writer.Write(value);
        writer.Flush();
        var reader = new MessagePackReader(buffer.WrittenMemory);
        return Read(ref reader);
    }

    public bool AsBoolean() => _kind == MessagePackValueKind.Boolean ? _bits != 0 : throw WrongKind(MessagePackValueKind.Boolean);

    /// <exception cref="OverflowException">An unsigned value above <see cref="long.MaxValue"/>.</exception>
    public long AsInt64() => _kind switch
    {
        MessagePackValueKind.Integer => unchecked((long)_bits),
        MessagePackValueKind.UnsignedInteger => checked((long)_bits),
        _ => throw WrongKind(MessagePackValueKind.Integer),
    };

    /// <exception cref="OverflowException">A negative value.</exception>
    public ulong AsUInt64() => _kind switch
    {
        MessagePackValueKind.UnsignedInteger => _bits,
        MessagePackValueKind.Integer => checked((ulong)unchecked((long)_bits)),
        _ => throw WrongKind(MessagePackValueKind.UnsignedInteger),
    };

    /// <summary>A float (either size) or an integer, as double.</summary>
    public double AsDouble() => _kind switch
    {
        MessagePackValueKind.Float64 => BitConverter.Int64BitsToDouble(unchecked((long)_bits)),
        MessagePackValueKind.Float32 => BitConverter.Int32BitsToSingle(unchecked((int)(uint)_bits)),
        MessagePackValueKind.Integer => unchecked((long)_bits),
        MessagePackValueKind.UnsignedInteger => _bits,
        _ => throw WrongKind(MessagePackValueKind.Float64),
    };

    public string AsString() => _kind == MessagePackValueKind.String ? (string)_ref! : throw WrongKind(MessagePackValueKind.String);

    public ReadOnlyMemory<byte> AsBinary() => _kind == MessagePackValueKind.Binary ? (byte[])_ref! : throw WrongKind(MessagePackValueKind.Binary);

    public IReadOnlyList<MessagePackValue> AsArray() => AsArrayStorage();

    public IReadOnlyList<KeyValuePair<MessagePackValue, MessagePackValue>> AsMap() => AsMapStorage();

    public (sbyte TypeCode, ReadOnlyMemory<byte> Data) AsExtension() =>
        _kind == MessagePackValueKind.Extension ? (unchecked((sbyte)(byte)_bits), (byte[])_ref!) : throw WrongKind(MessagePackValueKind.Extension);

    /// <summary>An ext -1 value as a timestamp.</summary>
    public MessagePackTimestamp AsTimestamp()
    {
        (sbyte type, ReadOnlyMemory<byte> data) = AsExtension();
        if (type != MessagePackTimestamp.ExtensionTypeCode)
        {
            throw new InvalidOperationException($"The msgpack ext type is {type}, not a timestamp.");
        }

        var writer = new PooledBufferWriter(32);
        try
        {
            var w = new MessagePackWriter(writer);
            w.WriteExtensionFormat(type, data.Span);
            w.Flush();
            var reader = new MessagePackReader(writer.WrittenMemory);
            return reader.ReadTimestamp();
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>Looks up a str key in a map (first match, linear: rap maps are small).</summary>
    public bool TryGetValue(string key, out MessagePackValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        foreach (KeyValuePair<MessagePackValue, MessagePackValue> entry in AsMapStorage())
        {
            if (entry.Key._kind == MessagePackValueKind.String && string.Equals((string)entry.Key._ref!, key, StringComparison.Ordinal))
            {
                value = entry.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Reads one whole value, honouring the reader's limits (depth, lengths, UTF-8).</summary>
    public static MessagePackValue Read(ref MessagePackReader reader)
    {
        byte code = reader.NextCode;
        switch (MessagePackCode.ToMessagePackType(code))
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return Nil;
            case MessagePackType.Boolean:
                return FromBoolean(reader.ReadBoolean());
            case MessagePackType.Integer:
                return reader.ReadInteger(out long s, out ulong u) ? FromUInt64(u) : FromInt64(s);
            case MessagePackType.Float:
                return code == MessagePackCode.Float32 ? FromSingle(reader.ReadSingle()) : FromDouble(reader.ReadDouble());
            case MessagePackType.String:
                return new(MessagePackValueKind.String, 0, reader.ReadString());
            case MessagePackType.Binary:
                return new(MessagePackValueKind.Binary, 0, reader.ReadBytes()!.Value.ToArray());
            case MessagePackType.Extension:
            {
                ExtensionResult ext = reader.ReadExtensionFormat();
                return new(MessagePackValueKind.Extension, unchecked((byte)ext.TypeCode), ext.Data.ToArray());
            }

            case MessagePackType.Array:
            {
                int count = reader.ReadArrayHeader(); // checked against the bytes left: bounds the allocation
                EnterNested(ref reader);
                var items = count == 0 ? [] : new MessagePackValue[count];
                for (int i = 0; i < items.Length; i++)
                {
                    items[i] = Read(ref reader);
                }

                reader.Depth--;
                return new(MessagePackValueKind.Array, 0, items);
            }

            case MessagePackType.Map:
            {
                int count = reader.ReadMapHeader();
                EnterNested(ref reader);
                var entries = count == 0 ? s_emptyMap : new KeyValuePair<MessagePackValue, MessagePackValue>[count];
                for (int i = 0; i < entries.Length; i++)
                {
                    MessagePackValue key = Read(ref reader);
                    entries[i] = new(key, Read(ref reader));
                }

                reader.Depth--;
                return new(MessagePackValueKind.Map, 0, entries);
            }

            default:
                throw new MessagePackSerializationException("Invalid msgpack: format byte 0xc1 is never used.");
        }
    }

    /// <summary>Parses exactly one value (trailing bytes are an error).</summary>
    public static MessagePackValue Parse(ReadOnlySpan<byte> msgpack, MessagePackReaderOptions? options = null)
    {
        byte[] rented = ArrayPool<byte>.Shared.Rent(Math.Max(msgpack.Length, 1));
        try
        {
            msgpack.CopyTo(rented);
            return Parse(new ReadOnlySequence<byte>(rented, 0, msgpack.Length), options);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Parses exactly one value (trailing bytes are an error). The result owns its data.</summary>
    public static MessagePackValue Parse(ReadOnlySequence<byte> msgpack, MessagePackReaderOptions? options = null)
    {
        var reader = new MessagePackReader(msgpack, options ?? MessagePackReaderOptions.Default);
        if (reader.End)
        {
            throw MessagePackReader.EndOfData();
        }

        MessagePackValue value = Read(ref reader);
        if (!reader.End)
        {
            throw new MessagePackSerializationException($"{msgpack.Length - reader.Consumed} trailing bytes after the msgpack value.");
        }

        return value;
    }

    public void Write(ref MessagePackWriter writer)
    {
        switch (_kind)
        {
            case MessagePackValueKind.Nil:
                writer.WriteNil();
                break;
            case MessagePackValueKind.Boolean:
                writer.Write(_bits != 0);
                break;
            case MessagePackValueKind.Integer:
                writer.Write(unchecked((long)_bits));
                break;
            case MessagePackValueKind.UnsignedInteger:
                writer.Write(_bits);
                break;
            case MessagePackValueKind.Float32:
                writer.Write(BitConverter.Int32BitsToSingle(unchecked((int)(uint)_bits)));
                break;
            case MessagePackValueKind.Float64:
                writer.Write(BitConverter.Int64BitsToDouble(unchecked((long)_bits)));
                break;
            case MessagePackValueKind.String:
                writer.Write((string)_ref!);
                break;
            case MessagePackValueKind.Binary:
                writer.Write((byte[])_ref!);
                break;
            case MessagePackValueKind.Extension:
                writer.WriteExtensionFormat(unchecked((sbyte)(byte)_bits), (byte[])_ref!);
                break;
            case MessagePackValueKind.Array:
            {
                MessagePackValue[] items = (MessagePackValue[])_ref!;
                writer.WriteArrayHeader(items.Length);
                foreach (MessagePackValue item in items)
                {
                    item.Write(ref writer);
                }

                break;
            }

            case MessagePackValueKind.Map:
            {
                var entries = (KeyValuePair<MessagePackValue, MessagePackValue>[])_ref!;
                writer.WriteMapHeader(entries.Length);
                foreach (KeyValuePair<MessagePackValue, MessagePackValue> entry in entries)
                {
                    entry.Key.Write(ref writer);
                    entry.Value.Write(ref writer);
                }

                break;
            }
        }
    }

    /// <summary>Encodes to a new array.</summary>
    public byte[] ToArray()
    {
        using var buffer = new PooledBufferWriter();
        var writer = new MessagePackWriter(buffer);
        Write(ref writer);
        writer.Flush();
        return buffer.ToArray();
    }

    public bool Equals(MessagePackValue other)
    {
        if (_kind != other._kind)
        {
            // Signed and unsigned integers of the same value are one integer.
            return IsInteger && other.IsInteger && _bits == other._bits && (unchecked((long)_bits) >= 0);
        }

        switch (_kind)
        {
            case MessagePackValueKind.Nil:
                return true;
            case MessagePackValueKind.String:
                return string.Equals((string)_ref!, (string)other._ref!, StringComparison.Ordinal);
            case MessagePackValueKind.Binary:
                return ((byte[])_ref!).AsSpan().SequenceEqual((byte[])other._ref!);
            case MessagePackValueKind.Extension:
                return _bits == other._bits && ((byte[])_ref!).AsSpan().SequenceEqual((byte[])other._ref!);
            case MessagePackValueKind.Array:
            {
                var a = (MessagePackValue[])_ref!;
                var b = (MessagePackValue[])other._ref!;
                if (a.Length != b.Length)
                {
                    return false;
                }

                for (int i = 0; i < a.Length; i++)
                {
                    if (!a[i].Equals(b[i]))
                    {
                        return false;
                    }
                }

                return true;
            }

            case MessagePackValueKind.Map:
            {
                var a = (KeyValuePair<MessagePackValue, MessagePackValue>[])_ref!;
                var b = (KeyValuePair<MessagePackValue, MessagePackValue>[])other._ref!;
                if (a.Length != b.Length)
                {
                    return false;
                }

                for (int i = 0; i < a.Length; i++)
                {
                    if (!a[i].Key.Equals(b[i].Key) || !a[i].Value.Equals(b[i].Value))
                    {
                        return false;
                    }
                }

                return true;
            }

            default:
                return _bits == other._bits;
        }
    }

    public override bool Equals(object? obj) => obj is MessagePackValue other && Equals(other);

    public override int GetHashCode()
    {
        switch (_kind)
        {
            case MessagePackValueKind.Nil:
                return 0;
            case MessagePackValueKind.Integer:
            case MessagePackValueKind.UnsignedInteger:
                // Same hash for a signed and an unsigned integer of the same value.
                return HashCode.Combine(MessagePackValueKind.Integer, _bits);
            case MessagePackValueKind.String:
                return HashCode.Combine(_kind, StringComparer.Ordinal.GetHashCode((string)_ref!));
            case MessagePackValueKind.Binary:
            case MessagePackValueKind.Extension:
            {
                var hash = default(HashCode);
                hash.Add(_kind);
                hash.Add(_bits);
                hash.AddBytes((byte[])_ref!);
                return hash.ToHashCode();
            }

            case MessagePackValueKind.Array:
            {
                var hash = default(HashCode);
                hash.Add(_kind);
                foreach (MessagePackValue item in (MessagePackValue[])_ref!)
                {
                    hash.Add(item.GetHashCode());
                }

                return hash.ToHashCode();
            }

            case MessagePackValueKind.Map:
            {
                var hash = default(HashCode);
                hash.Add(_kind);
                foreach (KeyValuePair<MessagePackValue, MessagePackValue> entry in (KeyValuePair<MessagePackValue, MessagePackValue>[])_ref!)
                {
                    hash.Add(entry.Key.GetHashCode());
                    hash.Add(entry.Value.GetHashCode());
                }

                return hash.ToHashCode();
            }

            default:
                return HashCode.Combine(_kind, _bits);
        }
    }

    /// <summary>A JSON-like rendering for debugging and logs.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Append(sb, 0);
        return sb.ToString();
    }

    private static void EnterNested(ref MessagePackReader reader)
    {
        int depth = ++reader.Depth;
        if (depth > reader.Options.MaxDepth)
        {
            throw new MessagePackLimitExceededException(nameof(MessagePackReaderOptions.MaxDepth), reader.Options.MaxDepth, depth);
        }
    }

    private static byte[] ToOwnedArray(ReadOnlyMemory<byte> value) =>
        MemoryMarshal.TryGetArray(value, out ArraySegment<byte> segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : value.ToArray();

    private MessagePackValue[] AsArrayStorage() =>
        _kind == MessagePackValueKind.Array ? (MessagePackValue[])_ref! : throw WrongKind(MessagePackValueKind.Array);

    private KeyValuePair<MessagePackValue, MessagePackValue>[] AsMapStorage() =>
        _kind == MessagePackValueKind.Map ? (KeyValuePair<MessagePackValue, MessagePackValue>[])_ref! : throw WrongKind(MessagePackValueKind.Map);

    private InvalidOperationException WrongKind(MessagePackValueKind expected) =>
        new($"The msgpack value is {_kind}, not {expected}.");

    private void Append(StringBuilder sb, int depth)
    {
        if (depth > 100)
        {
            sb.Append("...");
            return;
        }

        switch (_kind)
        {
            case MessagePackValueKind.Nil:
                sb.Append("null");
                break;
            case MessagePackValueKind.Boolean:
                sb.Append(_bits != 0 ? "true" : "false");
                break;
            case MessagePackValueKind.Integer:
                sb.Append(unchecked((long)_bits).ToString(CultureInfo.InvariantCulture));
                break;
            case MessagePackValueKind.UnsignedInteger:
                sb.Append(_bits.ToString(CultureInfo.InvariantCulture));
                break;
            case MessagePackValueKind.Float32:
            case MessagePackValueKind.Float64:
                sb.Append(AsDouble().ToString("R", CultureInfo.InvariantCulture));
                break;
            case MessagePackValueKind.String:
                AppendQuoted(sb, (string)_ref!);
                break;
            case MessagePackValueKind.Binary:
                sb.Append("b\"").Append(Convert.ToHexString((byte[])_ref!)).Append('"');
                break;
            case MessagePackValueKind.Extension:
                sb.Append("ext(").Append(unchecked((sbyte)(byte)_bits).ToString(CultureInfo.InvariantCulture)).Append(", \"")
                  .Append(Convert.ToHexString((byte[])_ref!)).Append("\")");
                break;
            case MessagePackValueKind.Array:
            {
                sb.Append('[');
                var items = (MessagePackValue[])_ref!;
                for (int i = 0; i < items.Length; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    items[i].Append(sb, depth + 1);
                }

                sb.Append(']');
                break;
            }

            case MessagePackValueKind.Map:
            {
                sb.Append('{');
                var entries = (KeyValuePair<MessagePackValue, MessagePackValue>[])_ref!;
                for (int i = 0; i < entries.Length; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    entries[i].Key.Append(sb, depth + 1);
                    sb.Append(": ");
                    entries[i].Value.Append(sb, depth + 1);
                }

                sb.Append('}');
                break;
            }
        }
    }

    private static void AppendQuoted(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case < ' ':
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        sb.Append('"');
    }
}
