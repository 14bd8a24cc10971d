using System.Buffers;

namespace OrleansRpc.MessagePack.Tests;

public class FrameReaderTests
{
    private static readonly MessagePackReaderOptions s_options = MessagePackReaderOptions.Default;

    /// <summary>Frames like rap's: HEAD calls, a v0.5.3.8-style frame, a large str, nested values, floats, bin.</summary>
    private static byte[][] SampleFrames() =>
    [
        Encode.With((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(4);
            w.Write(101);
            w.Write(3);
            w.WriteMapHeader(1);
            w.Write("target");
            w.Write("/default/sum");
            w.WriteMapHeader(2);
            w.Write("a");
            w.Write(1);
            w.Write("b");
            w.Write(2);
        }),
        Encode.With((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(6);
            w.Write(201);
            w.Write(uint.MaxValue + 5L);
            w.Write("group");
            w.Write(new string('é', 200));
            w.WriteArrayHeader(3);
            w.Write(1.5);
            w.Write(new byte[300].AsSpan());
            w.WriteMapHeader(0);
            w.Write(new MessagePackTimestamp(-5, 7));
        }),
        MessagePackValue.FromArray(
            MessagePackValue.FromMap(("k", MessagePackValue.FromArray(1, -1000, "x", MessagePackValue.Nil, true))),
            MessagePackValue.FromExtension(5, new byte[70000]),
            long.MinValue,
            ulong.MaxValue,
            2.5f).ToArray(),
    ];

    [Fact]
    public void BackToBackFrames_AreFoundOneByOne()
    {
        byte[][] frames = SampleFrames();
        byte[] stream = frames.SelectMany(f => f).ToArray();
        foreach (ReadOnlySequence<byte> whole in new[] { new ReadOnlySequence<byte>(stream), Sequences.Chunked(stream, 1024), Sequences.Chunked(stream, 3, withEmptySegments: true) })
        {
            ReadOnlySequence<byte> buffer = whole;
            foreach (byte[] frame in frames)
            {
                Assert.Equal(MessagePackFrameStatus.Complete, MessagePackFrameReader.TryReadNext(buffer, s_options, out SequencePosition end));
                Assert.Equal(frame, buffer.Slice(0, end).ToArray());
                buffer = buffer.Slice(end);
            }

            Assert.True(buffer.IsEmpty);
            Assert.Equal(MessagePackFrameStatus.NeedMoreData, MessagePackFrameReader.TryReadNext(buffer, s_options, out _));
        }
    }

    [Fact]
    public void EveryTruncation_NeedsMoreData_AndEverySplit_IsComplete()
    {
        foreach (byte[] frame in SampleFrames().Take(2))
        {
            for (int cut = 0; cut < frame.Length; cut++)
            {
                Assert.Equal(MessagePackFrameStatus.NeedMoreData, MessagePackFrameReader.TryReadNext(new ReadOnlySequence<byte>(frame, 0, cut), s_options, out _));
                Assert.Equal(MessagePackFrameStatus.NeedMoreData, MessagePackFrameReader.TryReadNext(Sequences.Split(frame.AsSpan(0, cut), cut / 2), s_options, out _));
            }

            for (int cut = 0; cut <= frame.Length; cut++)
            {
                FrameAssert.CompleteAtEnd(Sequences.Split(frame, cut));
            }

            // Followed by the start of the next frame, the end is still exact.
            byte[] withMore = [.. frame, 0x94, 0x65];
            Assert.Equal(MessagePackFrameStatus.Complete, MessagePackFrameReader.TryReadNext(Sequences.Split(withMore, frame.Length / 3), s_options, out SequencePosition end));
            Assert.Equal(frame.Length, Sequences.Split(withMore, frame.Length / 3).Slice(0, end).Length);
        }
    }

    [Fact]
    public void ReadingSplitFrames_GivesTheSameValue_AtEverySplitPoint()
    {
        foreach (byte[] frame in SampleFrames().Take(2))
        {
            MessagePackValue expected = MessagePackValue.Parse(frame);
            for (int cut = 0; cut <= frame.Length; cut++)
            {
                Assert.Equal(expected, MessagePackValue.Parse(Sequences.Split(frame, cut)));
            }

            for (int a = 1; a < frame.Length; a += 37)
            {
                Assert.Equal(expected, MessagePackValue.Parse(Sequences.Split(frame, a / 2, a)));
            }
        }
    }

    [Fact]
    public void NeverUsedCode_IsRejected_Anywhere()
    {
        byte[] frame = SampleFrames()[0];
        Assert.Throws<MessagePackSerializationException>(() => MessagePackFrameReader.TryReadNext(new ReadOnlySequence<byte>([0xc1]), s_options, out _));
        // Replace each element start of [101, 3, {...}, {...}] with 0xc1 in turn.
        var reader = new MessagePackReader(frame);
        reader.ReadArrayHeader();
        var starts = new List<long>();
        for (int i = 0; i < 4; i++)
        {
            starts.Add(reader.Consumed);
            reader.Skip();
        }

        foreach (long start in starts)
        {
            byte[] bad = (byte[])frame.Clone();
            bad[start] = MessagePackCode.NeverUsed;
            Assert.Throws<MessagePackSerializationException>(() => MessagePackFrameReader.TryReadNext(new ReadOnlySequence<byte>(bad), s_options, out _));
            Assert.Throws<MessagePackSerializationException>(() => MessagePackFrameReader.TryReadNext(Sequences.Chunked(bad, 2), s_options, out _));
            Assert.Throws<MessagePackSerializationException>(() => MessagePackValue.Parse(bad));
            // Even when the rest of the frame has not arrived yet.
            Assert.Throws<MessagePackSerializationException>(() => MessagePackFrameReader.TryReadNext(new ReadOnlySequence<byte>(bad, 0, (int)start + 1), s_options, out _));
        }

        // 0xc1 inside a str or bin payload is just data.
        FrameAssert.CompleteAtEnd(Hex.Parse("a1-c1"));
        FrameAssert.CompleteAtEnd(Hex.Parse("c4-01-c1"));
        FrameAssert.CompleteAtEnd(Hex.Parse("d4-01-c1"));
    }

    [Fact]
    public void DepthBomb_FailsWithTypedError_WithoutStackOverflow()
    {
        // A million nested one-element arrays: iterative scan, rejected at MaxDepth.
        byte[] bomb = Enumerable.Repeat((byte)0x91, 1_000_000).ToArray();
        var ex = Assert.Throws<MessagePackLimitExceededException>(() => MessagePackFrameReader.TryReadNext(new ReadOnlySequence<byte>(bomb), s_options, out _));
        Assert.Equal(nameof(MessagePackReaderOptions.MaxDepth), ex.Limit);
        Assert.Equal(64, ex.LimitValue);
        Assert.Equal(65, ex.ActualValue);
        ex = Assert.Throws<MessagePackLimitExceededException>(() => MessagePackValue.Parse(bomb));
        Assert.Equal(nameof(MessagePackReaderOptions.MaxDepth), ex.Limit);

        // Maps nest too.
        byte[] mapBomb = Enumerable.Range(0, 2000).SelectMany(_ => new byte[] { 0x81, 0xa0 }).ToArray();
        Assert.Equal(nameof(MessagePackReaderOptions.MaxDepth), Assert.Throws<MessagePackLimitExceededException>(() => MessagePackFrameReader.TryReadNext(Sequences.Chunked(mapBomb, 5), s_options, out _)).Limit);
    }

    [Fact]
    public void Depth_AtTheLimit_IsAccepted()
    {
        var options = new MessagePackReaderOptions { MaxDepth = 10 };
        byte[] ten = [.. Enumerable.Repeat((byte)0x91, 9), 0x90];
        FrameAssert.CompleteAtEnd(ten, options);
        Assert.Equal(ten, MessagePackValue.Parse(ten, options).ToArray());
        byte[] eleven = [0x91, .. ten];
        Assert.Throws<MessagePackLimitExceededException>(() => MessagePackFrameReader.TryReadNext(new ReadOnlySequence<byte>(eleven), options, out _));
        Assert.Throws<MessagePackLimitExceededException>(() => MessagePackValue.Parse(eleven, options));

        // Deep limits beyond the stack-allocated scan depth use a pooled stack.
        var deep = new MessagePackReaderOptions { MaxDepth = 500 };
        byte[] d500 = [.. Enumerable.Repeat((byte)0x91, 499), 0x01];
        FrameAssert.CompleteAtEnd(d500, deep);
        FrameAssert.CompleteAtEnd(Sequences.Chunked(d500, 10), deep);
        Assert.Equal(d500, MessagePackValue.Parse(d500, deep).ToArray());
    }

    [Fact]
    public void MaxFrameBytes_FailsFast_OnDeclaredLengths_BeforeTheBytesArrive()
    {
        var options = new MessagePackReaderOptions { MaxFrameBytes = 1000 };
        // A str 32 header declaring 2^32-1 bytes, followed by nothing.
        AssertFrameLimit(Hex.Parse("db-7f-ff-ff-ff"), new MessagePackReaderOptions { MaxStringLength = int.MaxValue, MaxFrameBytes = 1000 });
        // Default options: str 32 above MaxStringLength.
        Assert.Equal(nameof(MessagePackReaderOptions.MaxStringLength),
            Assert.Throws<MessagePackLimitExceededException>(() => MessagePackFrameReader.TryReadNext(new ReadOnlySequence<byte>(Hex.Parse("db-ff-ff-ff-ff")), s_options, out _)).Limit);
        // Bin of 1000 bytes inside an array: 1 + 3 + 1000 > 1000.
        AssertFrameLimit(Hex.Parse("91-c5-03-e8"), options);
        // An array declaring 5000 elements cannot fit in 1000 bytes, whatever they are.
        AssertFrameLimit(Hex.Parse("dc-13-88"), options);
        // Exactly at the limit is fine.
        byte[] exact = Encode.With((ref MessagePackWriter w) => w.Write(new byte[1000 - 3].AsSpan()));
        Assert.Equal(1000, exact.Length);
        FrameAssert.CompleteAtEnd(exact, options);
        AssertFrameLimit(Encode.With((ref MessagePackWriter w) => w.Write(new byte[1000 - 2].AsSpan())), options);
        // Many small items also hit the limit, split or not.
        byte[] many = Encode.With((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(900);
            for (int i = 0; i < 900; i++)
            {
                w.Write(1000 + i);
            }
        });
        AssertFrameLimit(many, options);
    }

    [Fact]
    public void DeclaredCounts_AboveLimits_FailFast()
    {
        var ex = Assert.Throws<MessagePackLimitExceededException>(() => MessagePackFrameReader.TryReadNext(new ReadOnlySequence<byte>(Hex.Parse("dd-ff-ff-ff-ff")), s_options, out _));
        Assert.Equal(nameof(MessagePackReaderOptions.MaxArrayLength), ex.Limit);
        Assert.Equal(uint.MaxValue, ex.ActualValue);
        ex = Assert.Throws<MessagePackLimitExceededException>(() => MessagePackFrameReader.TryReadNext(new ReadOnlySequence<byte>(Hex.Parse("df-ff-ff-ff-ff")), s_options, out _));
        Assert.Equal(nameof(MessagePackReaderOptions.MaxMapLength), ex.Limit);
        ex = Assert.Throws<MessagePackLimitExceededException>(() => MessagePackFrameReader.TryReadNext(new ReadOnlySequence<byte>(Hex.Parse("c6-ff-ff-ff-ff")), s_options, out _));
        Assert.Equal(nameof(MessagePackReaderOptions.MaxBinaryLength), ex.Limit);
        ex = Assert.Throws<MessagePackLimitExceededException>(() => MessagePackFrameReader.TryReadNext(new ReadOnlySequence<byte>(Hex.Parse("c9-ff-ff-ff-ff-01")), s_options, out _));
        Assert.Equal(nameof(MessagePackReaderOptions.MaxBinaryLength), ex.Limit);

        // Within the count limits but lying about what follows: just not complete yet.
        FrameAssert.NeedsMoreData(Hex.Parse("dd-00-01-00-00-01-02"));
    }

    private static void AssertFrameLimit(byte[] bytes, MessagePackReaderOptions options)
    {
        var ex = Assert.Throws<MessagePackLimitExceededException>(() => MessagePackFrameReader.TryReadNext(new ReadOnlySequence<byte>(bytes), options, out _));
        Assert.Equal(nameof(MessagePackReaderOptions.MaxFrameBytes), ex.Limit);
        Assert.Equal(options.MaxFrameBytes, ex.LimitValue);
        Assert.True(ex.ActualValue > options.MaxFrameBytes);
        ex = Assert.Throws<MessagePackLimitExceededException>(() => MessagePackFrameReader.TryReadNext(Sequences.Chunked(bytes, 3), options, out _));
        Assert.Equal(nameof(MessagePackReaderOptions.MaxFrameBytes), ex.Limit);
    }
}
