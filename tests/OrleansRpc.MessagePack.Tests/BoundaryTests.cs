using System.Buffers;

namespace OrleansRpc.MessagePack.Tests;

/// <summary>Format boundaries: the smallest encoding on each side of every size switch, and reading it back.</summary>
public class BoundaryTests
{
    [Theory]
    [InlineData(0L, "00")]
    [InlineData(127L, "7f")]
    [InlineData(128L, "cc-80")]
    [InlineData(255L, "cc-ff")]
    [InlineData(256L, "cd-01-00")]
    [InlineData(65535L, "cd-ff-ff")]
    [InlineData(65536L, "ce-00-01-00-00")]
    [InlineData(2147483647L, "ce-7f-ff-ff-ff")]
    [InlineData(2147483648L, "ce-80-00-00-00")]
    [InlineData(4294967295L, "ce-ff-ff-ff-ff")]
    [InlineData(4294967296L, "cf-00-00-00-01-00-00-00-00")]
    [InlineData(long.MaxValue, "cf-7f-ff-ff-ff-ff-ff-ff-ff")]
    [InlineData(-1L, "ff")]
    [InlineData(-32L, "e0")]
    [InlineData(-33L, "d0-df")]
    [InlineData(-128L, "d0-80")]
    [InlineData(-129L, "d1-ff-7f")]
    [InlineData(-32768L, "d1-80-00")]
    [InlineData(-32769L, "d2-ff-ff-7f-ff")]
    [InlineData(-2147483648L, "d2-80-00-00-00")]
    [InlineData(-2147483649L, "d3-ff-ff-ff-ff-7f-ff-ff-ff")]
    [InlineData(long.MinValue, "d3-80-00-00-00-00-00-00-00")]
    public void Int64_SmallestEncoding_AndBack(long value, string hex)
    {
        byte[] bytes = Encode.With((ref MessagePackWriter w) => w.Write(value));
        Assert.Equal(hex, Hex.Format(bytes));
        Assert.Equal(value, new MessagePackReader(bytes).ReadInt64());
        Assert.Equal(value, MessagePackValue.Parse(bytes).AsInt64());
        Assert.Equal(bytes, MessagePackValue.FromInt64(value).ToArray());
        Assert.Equal(bytes, MessagePackValue.Parse(bytes).ToArray());
        FrameAssert.CompleteAtEnd(bytes);
    }

    [Theory]
    [InlineData(9223372036854775808UL, "cf-80-00-00-00-00-00-00-00")]
    [InlineData(ulong.MaxValue, "cf-ff-ff-ff-ff-ff-ff-ff-ff")]
    [InlineData(4294967296UL, "cf-00-00-00-01-00-00-00-00")]
    [InlineData(127UL, "7f")]
    public void UInt64_SmallestEncoding_AndBack(ulong value, string hex)
    {
        byte[] bytes = Encode.With((ref MessagePackWriter w) => w.Write(value));
        Assert.Equal(hex, Hex.Format(bytes));
        Assert.Equal(value, new MessagePackReader(bytes).ReadUInt64());
        MessagePackValue parsed = MessagePackValue.Parse(bytes);
        Assert.Equal(MessagePackValueKind.UnsignedInteger, parsed.Kind);
        Assert.Equal(value, parsed.AsUInt64());
        Assert.Equal(bytes, parsed.ToArray());
    }

    [Fact]
    public void NarrowWriters_UseTheSameSmallestForms()
    {
        Assert.Equal("d0-80", Hex.Format(Encode.With((ref MessagePackWriter w) => w.Write(sbyte.MinValue))));
        Assert.Equal("d1-80-00", Hex.Format(Encode.With((ref MessagePackWriter w) => w.Write(short.MinValue))));
        Assert.Equal("d2-80-00-00-00", Hex.Format(Encode.With((ref MessagePackWriter w) => w.Write(int.MinValue))));
        Assert.Equal("cc-ff", Hex.Format(Encode.With((ref MessagePackWriter w) => w.Write(byte.MaxValue))));
        Assert.Equal("cd-ff-ff", Hex.Format(Encode.With((ref MessagePackWriter w) => w.Write(ushort.MaxValue))));
        Assert.Equal("ce-ff-ff-ff-ff", Hex.Format(Encode.With((ref MessagePackWriter w) => w.Write(uint.MaxValue))));
        Assert.Equal("cd-7f-ff", Hex.Format(Encode.With((ref MessagePackWriter w) => w.Write(short.MaxValue))));
    }

    [Fact]
    public void TypedReads_AreRangeChecked()
    {
        byte[] big = Encode.With((ref MessagePackWriter w) => w.Write(ulong.MaxValue));
        Assert.Throws<OverflowException>(() => new MessagePackReader(big).ReadInt64());
        byte[] minusOne = Encode.With((ref MessagePackWriter w) => w.Write(-1));
        Assert.Throws<OverflowException>(() => new MessagePackReader(minusOne).ReadUInt64());
        Assert.Throws<OverflowException>(() => new MessagePackReader(minusOne).ReadByte());
        byte[] b300 = Encode.With((ref MessagePackWriter w) => w.Write(300));
        Assert.Throws<OverflowException>(() => new MessagePackReader(b300).ReadByte());
        Assert.Throws<OverflowException>(() => new MessagePackReader(b300).ReadSByte());
        Assert.Equal(300, new MessagePackReader(b300).ReadInt16());
        byte[] i32min = Encode.With((ref MessagePackWriter w) => w.Write((long)int.MinValue - 1));
        Assert.Throws<OverflowException>(() => new MessagePackReader(i32min).ReadInt32());
        Assert.Equal(int.MinValue, new MessagePackReader(Encode.With((ref MessagePackWriter w) => w.Write(int.MinValue))).ReadInt32());
        Assert.Equal(uint.MaxValue, new MessagePackReader(Encode.With((ref MessagePackWriter w) => w.Write(uint.MaxValue))).ReadUInt32());
        // Non-minimal encodings are read too: int 8 holding 5, uint 64 holding 1.
        Assert.Equal(5, new MessagePackReader(Hex.Parse("d0-05")).ReadInt32());
        Assert.Equal(5UL, new MessagePackReader(Hex.Parse("d0-05")).ReadUInt64());
        Assert.Equal(1, new MessagePackReader(Hex.Parse("cf-00-00-00-00-00-00-00-01")).ReadInt32());
    }

    [Theory]
    [InlineData(0, "a0", 1)]
    [InlineData(31, "bf", 1)]
    [InlineData(32, "d9-20", 2)]
    [InlineData(255, "d9-ff", 2)]
    [InlineData(256, "da-01-00", 3)]
    [InlineData(65535, "da-ff-ff", 3)]
    [InlineData(65536, "db-00-01-00-00", 5)]
    public void String_Lengths(int length, string headerHex, int headerSize)
    {
        string value = new('x', length);
        byte[] bytes = Encode.With((ref MessagePackWriter w) => w.Write(value));
        Assert.Equal(headerSize + length, bytes.Length);
        Assert.Equal(headerHex, Hex.Format(bytes.AsSpan(0, headerSize)));
        Assert.Equal(value, new MessagePackReader(bytes).ReadString());
        Assert.Equal(bytes, Encode.With((ref MessagePackWriter w) => w.WriteString(System.Text.Encoding.UTF8.GetBytes(value))));
        Assert.Equal(value, MessagePackValue.Parse(Sequences.Chunked(bytes, 7)).AsString());
        FrameAssert.CompleteAtEnd(bytes);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(85)]
    [InlineData(86)]
    public void String_MultiByteUtf8_NearTheOnePassLimit_KeepsSmallestHeader(int chars)
    {
        // 'é' is 2 bytes, '€' 3: byte counts land on both sides of 31 and 255.
        foreach (char c in "é€")
        {
            string value = new(c, chars);
            byte[] bytes = Encode.With((ref MessagePackWriter w) => w.Write(value));
            int n = System.Text.Encoding.UTF8.GetByteCount(value);
            int header = n <= 31 ? 1 : n <= 255 ? 2 : 3;
            Assert.Equal(header + n, bytes.Length);
            Assert.Equal(value, new MessagePackReader(bytes).ReadString());
        }
    }

    [Theory]
    [InlineData(0, "c4-00", 2)]
    [InlineData(255, "c4-ff", 2)]
    [InlineData(256, "c5-01-00", 3)]
    [InlineData(65535, "c5-ff-ff", 3)]
    [InlineData(65536, "c6-00-01-00-00", 5)]
    public void Binary_Lengths(int length, string headerHex, int headerSize)
    {
        byte[] value = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        byte[] bytes = Encode.With((ref MessagePackWriter w) => w.Write(value.AsSpan()));
        Assert.Equal(headerSize + length, bytes.Length);
        Assert.Equal(headerHex, Hex.Format(bytes.AsSpan(0, headerSize)));
        Assert.Equal(value, new MessagePackReader(bytes).ReadBytes()!.Value.ToArray());
        Assert.Equal(value, MessagePackValue.Parse(Sequences.Chunked(bytes, 1000)).AsBinary().ToArray());
    }

    [Theory]
    [InlineData(0, "90", "80")]
    [InlineData(15, "9f", "8f")]
    [InlineData(16, "dc-00-10", "de-00-10")]
    [InlineData(31, "dc-00-1f", "de-00-1f")]
    [InlineData(32, "dc-00-20", "de-00-20")]
    [InlineData(65535, "dc-ff-ff", "de-ff-ff")]
    [InlineData(65536, "dd-00-01-00-00", "df-00-01-00-00")]
    public void ArrayAndMap_Counts(int count, string arrayHex, string mapHex)
    {
        byte[] array = Encode.With((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(count);
            for (int i = 0; i < count; i++)
            {
                w.WriteNil();
            }
        });
        Assert.StartsWith(arrayHex, Hex.Format(array), StringComparison.Ordinal);
        Assert.Equal(count, new MessagePackReader(array).ReadArrayHeader());
        Assert.Equal(count, MessagePackValue.Parse(array).Count);
        FrameAssert.CompleteAtEnd(array);

        byte[] map = Encode.With((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(count);
            for (int i = 0; i < count; i++)
            {
                w.Write(i);
                w.WriteNil();
            }
        });
        Assert.StartsWith(mapHex, Hex.Format(map), StringComparison.Ordinal);
        Assert.Equal(count, new MessagePackReader(map).ReadMapHeader());
        MessagePackValue parsed = MessagePackValue.Parse(map);
        Assert.Equal(count, parsed.Count);
        Assert.Equal(map, parsed.ToArray());
        FrameAssert.CompleteAtEnd(map);
    }

    [Theory]
    [InlineData(1, "d4")]
    [InlineData(2, "d5")]
    [InlineData(3, "c7-03")]
    [InlineData(4, "d6")]
    [InlineData(8, "d7")]
    [InlineData(16, "d8")]
    [InlineData(17, "c7-11")]
    [InlineData(255, "c7-ff")]
    [InlineData(256, "c8-01-00")]
    [InlineData(65536, "c9-00-01-00-00")]
    public void Extension_Lengths(int length, string headerHex)
    {
        byte[] data = new byte[length];
        new Random(length).NextBytes(data);
        byte[] bytes = Encode.With((ref MessagePackWriter w) => w.WriteExtensionFormat(42, data));
        Assert.StartsWith(headerHex + "-2a", Hex.Format(bytes.AsSpan(0, Math.Min(bytes.Length, 8))), StringComparison.Ordinal);
        var reader = new MessagePackReader(bytes);
        ExtensionResult ext = reader.ReadExtensionFormat();
        Assert.Equal(42, ext.TypeCode);
        Assert.Equal(data, ext.Data.ToArray());
        Assert.Equal(bytes, MessagePackValue.Parse(bytes).ToArray());
        Assert.Equal(bytes, Encode.With((ref MessagePackWriter w) => w.WriteExtensionFormat(new ExtensionResult(42, new ReadOnlySequence<byte>(data)))));
        FrameAssert.CompleteAtEnd(bytes);
    }

    [Fact]
    public void Floats_SpecialValues_RoundTripBitExact()
    {
        foreach (double d in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0, double.Epsilon, double.MaxValue, double.MinValue })
        {
            byte[] bytes = Encode.With((ref MessagePackWriter w) => w.Write(d));
            Assert.Equal(9, bytes.Length);
            Assert.Equal(MessagePackCode.Float64, bytes[0]);
            double back = new MessagePackReader(bytes).ReadDouble();
            Assert.Equal(BitConverter.DoubleToInt64Bits(d), BitConverter.DoubleToInt64Bits(back));
            MessagePackValue v = MessagePackValue.Parse(bytes);
            Assert.Equal(MessagePackValueKind.Float64, v.Kind);
            Assert.Equal(bytes, v.ToArray());
        }

        foreach (float f in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0.0f, float.Epsilon, float.MaxValue })
        {
            byte[] bytes = Encode.With((ref MessagePackWriter w) => w.Write(f));
            Assert.Equal(5, bytes.Length);
            Assert.Equal(MessagePackCode.Float32, bytes[0]);
            Assert.Equal(BitConverter.SingleToInt32Bits(f), BitConverter.SingleToInt32Bits(new MessagePackReader(bytes).ReadSingle()));
            MessagePackValue v = MessagePackValue.Parse(bytes);
            Assert.Equal(MessagePackValueKind.Float32, v.Kind);
            Assert.Equal(bytes, v.ToArray());
        }

        Assert.Equal("cb-7f-f0-00-00-00-00-00-00", Hex.Format(Encode.With((ref MessagePackWriter w) => w.Write(double.PositiveInfinity))));
        Assert.Equal("cb-80-00-00-00-00-00-00-00", Hex.Format(Encode.With((ref MessagePackWriter w) => w.Write(-0.0))));
        Assert.Equal("ca-ff-80-00-00", Hex.Format(Encode.With((ref MessagePackWriter w) => w.Write(float.NegativeInfinity))));
        // Structural equality tells -0.0 from 0.0 (the bytes differ) and a NaN equals itself.
        Assert.NotEqual(MessagePackValue.FromDouble(0.0), MessagePackValue.FromDouble(-0.0));
        Assert.Equal(MessagePackValue.FromDouble(double.NaN), MessagePackValue.FromDouble(double.NaN));
    }

    [Theory]
    [InlineData(0L, 0u, "d6-ff-00-00-00-00")]
    [InlineData(4294967295L, 0u, "d6-ff-ff-ff-ff-ff")]
    [InlineData(4294967296L, 0u, "d7-ff-00-00-00-01-00-00-00-00")]
    [InlineData(1L, 1u, "d7-ff-00-00-00-04-00-00-00-01")]
    [InlineData(17179869183L, 999999999u, "d7-ff-ee-6b-27-ff-ff-ff-ff-ff")]
    [InlineData(17179869184L, 0u, "c7-0c-ff-00-00-00-00-00-00-00-04-00-00-00-00")]
    [InlineData(-1L, 0u, "c7-0c-ff-00-00-00-00-ff-ff-ff-ff-ff-ff-ff-ff")]
    [InlineData(-1L, 999999999u, "c7-0c-ff-3b-9a-c9-ff-ff-ff-ff-ff-ff-ff-ff-ff")]
    [InlineData(long.MinValue, 0u, "c7-0c-ff-00-00-00-00-80-00-00-00-00-00-00-00")]
    public void Timestamp_AllThreeSizes(long seconds, uint nanos, string hex)
    {
        var ts = new MessagePackTimestamp(seconds, nanos);
        byte[] bytes = Encode.With((ref MessagePackWriter w) => w.Write(ts));
        Assert.Equal(hex, Hex.Format(bytes));
        Assert.Equal(ts, new MessagePackReader(bytes).ReadTimestamp());
        Assert.Equal(ts, MessagePackValue.Parse(bytes).AsTimestamp());
        Assert.Equal(bytes, MessagePackValue.FromTimestamp(ts).ToArray());
    }

    [Fact]
    public void Timestamp_DateTime_RoundTrips_ToTicks()
    {
        DateTime[] cases =
        [
            DateTime.UnixEpoch,
            new DateTime(2018, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(6789),
            new DateTime(1969, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(1), // negative seconds: 96-bit form
            DateTime.MinValue,
            DateTime.MaxValue,
        ];
        foreach (DateTime dt in cases)
        {
            byte[] bytes = Encode.With((ref MessagePackWriter w) => w.Write(dt));
            Assert.Equal(dt.Ticks, new MessagePackReader(bytes).ReadDateTime().Ticks);
            Assert.Equal(DateTimeKind.Utc, new MessagePackReader(bytes).ReadDateTime().Kind);
        }

        byte[] before1970 = Encode.With((ref MessagePackWriter w) => w.Write(cases[2]));
        Assert.Equal(15, before1970.Length);

        // Beyond DateTime's range the timestamp still reads, but not as a DateTime.
        byte[] far = Hex.Parse("c7-0c-ff-00-00-00-00-00-00-10-00-00-00-00-00");
        Assert.Equal(0x1000_0000_0000L, new MessagePackReader(far).ReadTimestamp().Seconds);
        Assert.Throws<MessagePackSerializationException>(() => new MessagePackReader(far).ReadDateTime());
    }

    [Fact]
    public void Timestamp_InvalidForms_Throw()
    {
        // 64-bit form with nanoseconds ≥ 10^9 (all 30 bits set).
        Assert.Throws<MessagePackSerializationException>(() => new MessagePackReader(Hex.Parse("d7-ff-ff-ff-ff-fc-00-00-00-00")).ReadTimestamp());
        // Wrong length and wrong type.
        Assert.Throws<MessagePackSerializationException>(() => new MessagePackReader(Hex.Parse("d5-ff-00-00")).ReadTimestamp());
        Assert.Throws<MessagePackSerializationException>(() => new MessagePackReader(Hex.Parse("d6-01-00-00-00-00")).ReadTimestamp());
    }
}
