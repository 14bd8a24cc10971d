using System.Buffers;

namespace OrleansRpc.MessagePack.Tests;

/// <summary>
/// <see cref="MessagePackFrameScanner"/>: the same frame ends as <see cref="MessagePackFrameReader"/> finds, however the
/// bytes arrive, each byte examined once (a trickled frame costs time linear in its size), and the same limits plus
/// <see cref="MessagePackReaderOptions.MaxFrameElements"/>.
/// </summary>
public class FrameScannerTests
{
    private static byte[][] Frames() =>
    [
        MessagePackValue.FromArray(101, 3, MessagePackValue.FromMap(("target", "/default/sum")), MessagePackValue.FromMap(("a", 1), ("b", 2))).ToArray(),
        MessagePackValue.FromArray(
            MessagePackValue.FromMap(("k", MessagePackValue.FromArray(1, -1000, "x", MessagePackValue.Nil, true, 1.5, 2.5f))),
            MessagePackValue.FromExtension(5, new byte[700]), // ext 16 header
            MessagePackValue.FromExtension(6, new byte[70000]), // ext 32 header
            MessagePackValue.FromExtension(-1, new byte[8]),
            new string('é', 400),
            new byte[300],
            long.MinValue,
            ulong.MaxValue).ToArray(),
        [0xc0],
        [0x90],
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(4096)]
    public void Frames_fed_in_pieces_complete_where_the_reader_says_and_each_byte_is_scanned_once(int piece)
    {
        foreach (byte[] frame in Frames())
        {
            byte[] stream = [.. frame, 0x94, 0x65]; // the next frame's first bytes follow
            var scanner = new MessagePackFrameScanner();
            long length = 0;
            int fed = 0;
            MessagePackFrameStatus status = MessagePackFrameStatus.NeedMoreData;
            while (status == MessagePackFrameStatus.NeedMoreData)
            {
                fed = Math.Min(fed + piece, stream.Length);
                // The whole frame so far is passed each time (as a read loop does): the scanner skips what it has seen.
                // Two segments, cut in the middle of what is new: segments as a pipe gives them.
                status = scanner.TryReadNext(TwoSegments(stream, fed, Math.Max(0, fed - (piece / 2) - 1)), out length);
            }

            Assert.Equal(frame.Length, length);
            Assert.Equal(frame.Length, scanner.TotalBytesScanned);
            Assert.Equal(0, scanner.Consumed); // ready for the next frame
        }
    }

    [Fact]
    public void Span_and_sequence_forms_agree_at_every_split_point()
    {
        byte[] frame = Frames()[0];
        for (int cut = 0; cut < frame.Length; cut++)
        {
            var scanner = new MessagePackFrameScanner();
            Assert.Equal(MessagePackFrameStatus.NeedMoreData, scanner.TryReadNext(frame.AsSpan(0, cut), out _));
            Assert.Equal(cut, scanner.Consumed);
            Assert.Equal(MessagePackFrameStatus.Complete, scanner.TryReadNext(new ReadOnlySequence<byte>(frame), out long length));
            Assert.Equal(frame.Length, length);
            Assert.Equal(frame.Length, scanner.TotalBytesScanned);
        }
    }

    [Fact]
    public void A_trickled_large_frame_costs_bytes_scanned_linear_in_its_size()
    {
        // 1 MiB of nils trickled in 1 KiB reads: a restarting scan would examine ~512 MiB.
        byte[] frame = Encode.With((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(1024 * 1024 - 8);
            for (int i = 0; i < 1024 * 1024 - 8; i++)
            {
                w.WriteNil();
            }
        });
        var scanner = new MessagePackFrameScanner();
        long length = 0;
        for (int fed = 1024; ; fed += 1024)
        {
            if (scanner.TryReadNext(frame.AsSpan(0, Math.Min(fed, frame.Length)), out int n) == MessagePackFrameStatus.Complete)
            {
                length = n;
                break;
            }
        }

        Assert.Equal(frame.Length, length);
        Assert.Equal(frame.Length, scanner.TotalBytesScanned);
    }

    [Fact]
    public void Limits_apply_as_in_the_frame_reader_even_split()
    {
        var tight = new MessagePackReaderOptions { MaxDepth = 3, MaxFrameBytes = 1000, MaxFrameElements = 100 };
        AssertLimit(nameof(MessagePackReaderOptions.MaxDepth), tight, [0x91, 0x91, 0x91, 0x91, 0x01]);
        AssertLimit(nameof(MessagePackReaderOptions.MaxFrameBytes), tight, Hex.Parse("91-c5-03-e8"));
        AssertLimit(nameof(MessagePackReaderOptions.MaxStringLength), MessagePackReaderOptions.Default, Hex.Parse("db-ff-ff-ff-ff"));
        Assert.Throws<MessagePackSerializationException>(() => new MessagePackFrameScanner().TryReadNext([0x92, 0x01, 0xc1], out _));

        // 101 elements in total over several containers (each within MaxArrayLength) exceed MaxFrameElements.
        byte[] spread = Encode.With((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(2);
            w.WriteArrayHeader(50);
            for (int i = 0; i < 50; i++)
            {
                w.WriteNil();
            }

            w.WriteMapHeader(25);
            for (int i = 0; i < 25; i++)
            {
                w.Write("k" + i);
                w.WriteNil();
            }
        });
        Assert.Equal(MessagePackFrameStatus.Complete, new MessagePackFrameScanner(new MessagePackReaderOptions { MaxFrameElements = 102 }).TryReadNext(spread, out _));
        AssertLimit(nameof(MessagePackReaderOptions.MaxFrameElements), new MessagePackReaderOptions { MaxFrameElements = 101 }, spread);
    }

    [Fact]
    public void MaxFrameElements_bounds_a_nil_bomb_before_it_is_decoded()
    {
        // 16 MB of nils would decode to 16 Mi values (~486 MB): refused from its 5-byte header, in every scanner.
        byte[] header = Hex.Parse("dd-01-00-00-00");
        Assert.Equal(MessagePackReaderOptions.DefaultMaxFrameElements, MessagePackReaderOptions.Default.MaxFrameElements);
        var ex = Assert.Throws<MessagePackLimitExceededException>(() => MessagePackFrameReader.TryReadNext(new ReadOnlySequence<byte>(header), MessagePackReaderOptions.Default, out _));
        Assert.Equal(nameof(MessagePackReaderOptions.MaxFrameElements), ex.Limit);
        ex = Assert.Throws<MessagePackLimitExceededException>(() => MessagePackFrameReader.TryReadNext(Sequences.Chunked(header, 2), MessagePackReaderOptions.Default, out _));
        Assert.Equal(nameof(MessagePackReaderOptions.MaxFrameElements), ex.Limit);
        ex = Assert.Throws<MessagePackLimitExceededException>(() => new MessagePackFrameScanner().TryReadNext(header, out _));
        Assert.Equal(nameof(MessagePackReaderOptions.MaxFrameElements), ex.Limit);
        Assert.Equal(16 * 1024 * 1024, ex.ActualValue);
    }

    [Fact]
    public void Mutated_frames_fed_in_random_pieces_end_as_the_frame_reader_says()
    {
        // A seeded differential run: every outcome (complete with its length, more data needed, or the limit or
        // error thrown) is the frame reader's on the whole input, however the scanner received the bytes.
        var random = new Random(16);
        var options = new MessagePackReaderOptions { MaxFrameBytes = 1 << 20, MaxDepth = 16, MaxFrameElements = 40 };
        byte[][] seeds =
        [
            .. Frames(),
            MessagePackValue.FromArray(101, ulong.MaxValue, MessagePackValue.FromMap(("target", "/default/sum"), ("k", -70000), ("f", 1.5), ("b", new byte[] { 1, 2, 3 })),
                MessagePackValue.FromArray(MessagePackValue.FromArray(1, 2), "héllo", MessagePackValue.FromExtension(3, new byte[] { 9, 9 })),
                MessagePackValue.FromTimestamp(new MessagePackTimestamp(-3, 5))).ToArray(),
        ];
        int[] outcomes = new int[3];
        for (int i = 0; i < 5000; i++)
        {
            byte[] seed = seeds[random.Next(seeds.Length)];
            byte[] bytes = (byte[])seed[..Math.Min(seed.Length, 4096)].Clone();
            for (int m = random.Next(1, 4); m > 0; m--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            string expected;
            try
            {
                expected = MessagePackFrameReader.TryReadNext(bytes, options, out int length) == MessagePackFrameStatus.Complete ? "complete " + length : "more";
            }
            catch (MessagePackLimitExceededException ex)
            {
                expected = "limit " + ex.Limit;
            }
            catch (MessagePackSerializationException)
            {
                expected = "malformed";
            }

            var scanner = new MessagePackFrameScanner(options);
            string actual = "more";
            try
            {
                for (int fed = 0; fed < bytes.Length && actual == "more";)
                {
                    fed = Math.Min(bytes.Length, fed + random.Next(1, 18));
                    if (scanner.TryReadNext(bytes.AsSpan(0, fed), out int length) == MessagePackFrameStatus.Complete)
                    {
                        actual = "complete " + length;
                    }
                }
            }
            catch (MessagePackLimitExceededException ex)
            {
                actual = "limit " + ex.Limit;
            }
            catch (MessagePackSerializationException)
            {
                actual = "malformed";
            }

            Assert.True(expected == actual, $"mutation {i}: reader {expected}, scanner {actual}, bytes {Convert.ToHexString(bytes)}");
            outcomes[expected.StartsWith("complete", StringComparison.Ordinal) ? 0 : expected == "more" ? 1 : 2]++;
        }

        Assert.All(outcomes, count => Assert.True(count > 20, string.Join(", ", outcomes))); // every kind of outcome was exercised
    }

    private static ReadOnlySequence<byte> TwoSegments(byte[] data, int length, int cut)
    {
        var first = new TestSegment(data.AsMemory(0, cut));
        TestSegment last = first.Append(data.AsMemory(cut, length - cut));
        return new ReadOnlySequence<byte>(first, 0, last, length - cut);
    }

    private static void AssertLimit(string limit, MessagePackReaderOptions options, byte[] bytes)
    {
        Assert.Equal(limit, Assert.Throws<MessagePackLimitExceededException>(() => new MessagePackFrameScanner(options).TryReadNext(bytes, out _)).Limit);
        var split = new MessagePackFrameScanner(options);
        Assert.Equal(limit, Assert.Throws<MessagePackLimitExceededException>(() =>
        {
            for (int fed = 1; fed <= bytes.Length; fed++)
            {
                split.TryReadNext(bytes.AsSpan(0, fed), out _);
            }
        }).Limit);
    }
}
