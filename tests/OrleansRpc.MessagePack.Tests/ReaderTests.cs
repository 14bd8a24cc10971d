using System.Buffers;
using System.Text;

namespace OrleansRpc.MessagePack.Tests;

public class ReaderTests
{
    [Fact]
    public void TypedReads_StraddlingSegments_ReadIdentically()
    {
        byte[] bytes = Encode.With((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(9);
            w.Write(ulong.MaxValue);
            w.Write(long.MinValue);
            w.Write(-1000);
            w.Write(3.25);
            w.Write(1.5f);
            w.Write("héllo wörld, a string over thirty-one bytes");
            w.Write(new byte[] { 1, 2, 3 }.AsSpan());
            w.Write(new MessagePackTimestamp(1514862245, 678901234));
            w.Write(true);
        });
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            foreach (ReadOnlySequence<byte> seq in new[] { Sequences.Split(bytes, cut), Sequences.Chunked(bytes, Math.Max(cut, 1), withEmptySegments: true) })
            {
                var r = new MessagePackReader(seq);
                Assert.Equal(MessagePackType.Array, r.NextMessagePackType);
                Assert.Equal(9, r.ReadArrayHeader());
                Assert.Equal(ulong.MaxValue, r.ReadUInt64());
                Assert.Equal(long.MinValue, r.ReadInt64());
                Assert.Equal(-1000, r.ReadInt32());
                Assert.Equal(3.25, r.ReadDouble());
                Assert.Equal(1.5f, r.ReadSingle());
                Assert.Equal("héllo wörld, a string over thirty-one bytes", r.ReadString());
                Assert.Equal(new byte[] { 1, 2, 3 }, r.ReadBytes()!.Value.ToArray());
                Assert.Equal(new MessagePackTimestamp(1514862245, 678901234), r.ReadTimestamp());
                Assert.True(r.ReadBoolean());
                Assert.True(r.End);
                Assert.Equal(bytes.Length, r.Consumed);
            }
        }
    }

    [Fact]
    public void TryReadStringSpan_ContiguousWithoutCopy_ElseLeavesPosition()
    {
        byte[] bytes = Encode.With((ref MessagePackWriter w) =>
        {
            w.Write("target");
            w.WriteNil();
        });
        var r = new MessagePackReader(bytes);
        Assert.True(r.TryReadStringSpan(out ReadOnlySpan<byte> span));
        Assert.True(span.SequenceEqual("target"u8));
        Assert.False(r.TryReadStringSpan(out _)); // nil: false, not consumed
        Assert.True(r.TryReadNil());

        // Split inside the str bytes: false and the position is unchanged; fall back to the sequence.
        var split = new MessagePackReader(Sequences.Split(bytes, 3));
        Assert.False(split.TryReadStringSpan(out _));
        Assert.Equal(0, split.Consumed);
        Assert.Equal("target"u8.ToArray(), split.ReadStringSequence()!.Value.ToArray());

        // ReadStringEquals works either way without allocating a string.
        for (int cut = 0; cut <= 7; cut++)
        {
            var eq = new MessagePackReader(Sequences.Split(bytes, cut));
            Assert.True(eq.ReadStringEquals("target"u8));
            var ne = new MessagePackReader(Sequences.Split(bytes, cut));
            Assert.False(ne.ReadStringEquals("targex"u8));
            Assert.Equal(7, ne.Consumed);
        }
    }

    [Fact]
    public void Str8_FromPython_IsRead()
    {
        // Python's packb sends str 8 for 32..255 bytes; and a short str in str 8 is read too.
        Assert.Equal("a", new MessagePackReader(Hex.Parse("d9-01-61")).ReadString());
        byte[] str8 = [0xd9, 40, .. Enumerable.Repeat((byte)'z', 40)];
        Assert.Equal(new string('z', 40), new MessagePackReader(str8).ReadString());
    }

    [Fact]
    public void InvalidUtf8_IsAClearError_ByDefault_AndReplacedWhenAllowed()
    {
        byte[][] bad =
        [
            [0xa1, 0xff],
            [0xa2, 0xc3, 0x28],
            [0xa3, 0xed, 0xa0, 0x80], // a UTF-16 surrogate encoded in UTF-8
            [0xa2, 0xc0, 0xaf], // overlong '/'
            [0xa1, 0xe2], // truncated sequence
        ];
        foreach (byte[] b in bad)
        {
            var ex = Assert.Throws<MessagePackSerializationException>(() => new MessagePackReader(b).ReadString());
            Assert.Contains("UTF-8", ex.Message, StringComparison.Ordinal);
            Assert.Throws<MessagePackSerializationException>(() => MessagePackValue.Parse(b));
            Assert.Throws<MessagePackSerializationException>(() => MessagePackValue.Parse(Sequences.Split(b, 1)));
            var lenient = new MessagePackReaderOptions { ValidateUtf8 = false };
            Assert.Contains('\uFFFD', new MessagePackReader(new ReadOnlySequence<byte>(b), lenient).ReadString()!);
        }

        // NUL inside a str is valid.
        Assert.Equal("a\0b", new MessagePackReader(Hex.Parse("a3-61-00-62")).ReadString());
    }

    [Fact]
    public void LengthLies_ThrowEndOfData_WithoutHugeAllocations()
    {
        foreach (string hex in new[] { "dd-ff-ff-ff-ff", "dd-00-00-01-00-01", "df-00-ff-ff-ff", "db-00-00-10-00-61", "c6-00-01-00-00", "c9-00-00-10-00-01", "a5-61", "cf-00", "91" })
        {
            byte[] b = Hex.Parse(hex);
            var ex = Assert.ThrowsAny<MessagePackSerializationException>(() => MessagePackValue.Parse(b));
            Assert.True(ex is MessagePackLimitExceededException || ex.InnerException is EndOfStreamException, hex + ": " + ex);
        }

        // The raw header reads check counts against the bytes left: 2^32-1 elements cannot follow 0 bytes.
        var huge = new MessagePackReaderOptions { MaxArrayLength = int.MaxValue, MaxMapLength = int.MaxValue };
        var e1 = Assert.Throws<MessagePackSerializationException>(() => new MessagePackReader(new ReadOnlySequence<byte>(Hex.Parse("dd-7f-ff-ff-ff")), huge).ReadArrayHeader());
        Assert.IsType<EndOfStreamException>(e1.InnerException);
        var e2 = Assert.Throws<MessagePackSerializationException>(() => new MessagePackReader(new ReadOnlySequence<byte>(Hex.Parse("df-00-00-00-02-a0-a0-a0")), huge).ReadMapHeader());
        Assert.IsType<EndOfStreamException>(e2.InnerException);
    }

    [Fact]
    public void Limits_GiveTypedErrors_NamingTheLimit()
    {
        var tight = new MessagePackReaderOptions { MaxStringLength = 3, MaxBinaryLength = 2, MaxArrayLength = 2, MaxMapLength = 1, MaxDepth = 2 };
        AssertLimit("MaxStringLength", tight, Encode.With((ref MessagePackWriter w) => w.Write("abcd")), r => r.ReadString());
        AssertLimit("MaxBinaryLength", tight, Encode.With((ref MessagePackWriter w) => w.Write(new byte[3].AsSpan())), r => r.ReadBytes());
        AssertLimit("MaxBinaryLength", tight, Hex.Parse("d6-01-00-00-00-00"), r => r.ReadExtensionFormat());
        AssertLimit("MaxArrayLength", tight, Hex.Parse("93-01-02-03"), r => r.ReadArrayHeader());
        AssertLimit("MaxMapLength", tight, Hex.Parse("82-a0-01-a1-61-02"), r => r.ReadMapHeader());
        AssertLimit("MaxDepth", tight, Hex.Parse("91-91-91-01"), r => MessagePackValue.Read(ref r));
        AssertLimit("MaxDepth", tight, Hex.Parse("91-91-91-01"), r => r.Skip());

        // At the limits, all fine.
        Assert.Equal("abc", new MessagePackReader(new ReadOnlySequence<byte>(Hex.Parse("a3-61-62-63")), tight).ReadString());
        Assert.Equal(2, MessagePackValue.Parse(Hex.Parse("91-92-01-02"), tight)[0].Count);
        var frameLimit = new MessagePackReaderOptions { MaxFrameBytes = 4 };
        AssertLimit("MaxFrameBytes", frameLimit, Hex.Parse("94-01-02-03-04"), r => r.Skip());
    }

    [Fact]
    public void SkipAndReadRaw_CoverWholeValues()
    {
        byte[] bytes = Encode.With((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(2);
            w.Write("a");
            w.WriteArrayHeader(2);
            w.Write(1);
            w.Write("x");
            w.Write("b");
            w.Write(2);
        });
        var r = new MessagePackReader(Sequences.Chunked(bytes, 2));
        Assert.Equal(2, r.ReadMapHeader());
        Assert.Equal("a", r.ReadString());
        ReadOnlySequence<byte> raw = r.ReadRaw();
        Assert.Equal("92-01-a1-78", Hex.Format(raw.ToArray()));
        r.Skip();
        Assert.Equal(2, r.ReadInt32());
        Assert.True(r.End);
        Assert.ThrowsAny<MessagePackSerializationException>(() => new MessagePackReader(Hex.Parse("92-01")).Skip());

        MessagePackReader clone = new MessagePackReader(bytes).Clone(raw);
        Assert.Equal(2, clone.ReadArrayHeader());
    }

    [Fact]
    public void WrongTypes_AndNeverUsed_AreSerializationErrors()
    {
        Assert.Throws<MessagePackSerializationException>(() => new MessagePackReader(Hex.Parse("a1-61")).ReadInt32());
        Assert.Throws<MessagePackSerializationException>(() => new MessagePackReader(Hex.Parse("01")).ReadString());
        Assert.Throws<MessagePackSerializationException>(() => new MessagePackReader(Hex.Parse("01")).ReadBoolean());
        Assert.Throws<MessagePackSerializationException>(() => new MessagePackReader(Hex.Parse("c4-00")).ReadString());
        Assert.Throws<MessagePackSerializationException>(() => new MessagePackReader(Hex.Parse("a0")).ReadBytes());
        var ex = Assert.Throws<MessagePackSerializationException>(() => new MessagePackReader(Hex.Parse("c1")).ReadInt32());
        Assert.Contains("0xc1", ex.Message, StringComparison.Ordinal);
        Assert.Equal(MessagePackType.Unknown, new MessagePackReader(Hex.Parse("c1")).NextMessagePackType);
        Assert.Throws<MessagePackSerializationException>(() => MessagePackValue.Parse(Hex.Parse("92-01-c1")));
        Assert.Throws<MessagePackSerializationException>(() => MessagePackValue.Parse(Hex.Parse("81-c1-01")));
        Assert.ThrowsAny<MessagePackSerializationException>(() => MessagePackValue.Parse(ReadOnlySpan<byte>.Empty));
        Assert.Throws<MessagePackSerializationException>(() => MessagePackValue.Parse(Hex.Parse("01-02"))); // trailing bytes
    }

    [Fact]
    public void NilHandling()
    {
        var r = new MessagePackReader(Hex.Parse("c0-c0-c0-c0"));
        Assert.True(r.IsNil);
        Assert.Null(r.ReadString());
        Assert.Null(r.ReadBytes());
        Assert.Null(r.ReadStringSequence());
        r.ReadNil();
        Assert.True(r.End);
    }

    private delegate void ReadAction(MessagePackReader reader);

    private static void AssertLimit(string limit, MessagePackReaderOptions options, byte[] bytes, ReadAction read)
    {
        var ex = Assert.Throws<MessagePackLimitExceededException>(() => read(new MessagePackReader(new ReadOnlySequence<byte>(bytes), options)));
        Assert.Equal(limit, ex.Limit);
        Assert.Contains(limit, ex.Message, StringComparison.Ordinal);
        Assert.True(ex.ActualValue > ex.LimitValue);
    }
}
