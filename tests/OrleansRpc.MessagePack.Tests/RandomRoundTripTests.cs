using System.Buffers;

namespace OrleansRpc.MessagePack.Tests;

/// <summary>Seeded random nested values: encode, frame, decode (whole and split), re-encode byte-identically.</summary>
public class RandomRoundTripTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void RandomValues_RoundTrip(int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < 200; i++)
        {
            MessagePackValue value = RandomValue(random, depth: 0);
            byte[] bytes = value.ToArray();

            FrameAssert.CompleteAtEnd(bytes);
            MessagePackValue back = MessagePackValue.Parse(bytes);
            Assert.Equal(value, back);
            Assert.Equal(value.GetHashCode(), back.GetHashCode());
            Assert.Equal(bytes, back.ToArray());

            int cut = random.Next(bytes.Length + 1);
            ReadOnlySequence<byte> split = Sequences.Split(bytes, cut / 2, cut);
            Assert.Equal(value, MessagePackValue.Parse(split));
            FrameAssert.CompleteAtEnd(split);
            Assert.Equal(MessagePackFrameStatus.NeedMoreData, MessagePackFrameReader.TryReadNext(Sequences.Split(bytes.AsSpan(0, cut == bytes.Length ? cut - 1 : cut), cut / 3), MessagePackReaderOptions.Default, out _));

            // Skip agrees with the frame finder.
            var reader = new MessagePackReader(split);
            reader.Skip();
            Assert.True(reader.End);
        }
    }

    private static MessagePackValue RandomValue(Random random, int depth)
    {
        int pick = random.Next(depth >= 5 ? 11 : 13);
        return pick switch
        {
            0 => MessagePackValue.Nil,
            1 => random.Next(2) == 0,
            2 => RandomInteger(random),
            3 => MessagePackValue.FromUInt64(((ulong)random.NextInt64() << 1) | (uint)random.Next(2)),
            4 => (float)(random.NextDouble() * 1000 - 500),
            5 => random.Next(4) == 0 ? double.NaN : random.NextDouble() * Math.Pow(10, random.Next(-300, 300)),
            6 => RandomString(random),
            7 => MessagePackValue.FromBinary(RandomBytes(random)),
            8 => MessagePackValue.FromExtension((sbyte)random.Next(-128, 128), RandomBytes(random)),
            9 => MessagePackValue.FromTimestamp(new MessagePackTimestamp(random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(64), (uint)random.Next(1_000_000_000))),
            10 => RandomInteger(random),
            11 => MessagePackValue.FromArray(Enumerable.Range(0, RandomCount(random)).Select(_ => RandomValue(random, depth + 1)).ToArray()),
            _ => MessagePackValue.FromMap(Enumerable.Range(0, RandomCount(random))
                .Select(_ => new KeyValuePair<MessagePackValue, MessagePackValue>(random.Next(5) == 0 ? RandomInteger(random) : RandomString(random), RandomValue(random, depth + 1)))
                .ToArray()),
        };
    }

    private static int RandomCount(Random random) => random.Next(10) switch
    {
        0 => random.Next(16, 40),
        _ => random.Next(0, 6),
    };

    private static MessagePackValue RandomInteger(Random random)
    {
        long v = random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(64);
        return v;
    }

    private static MessagePackValue RandomString(Random random)
    {
        const string alphabet = "abcxyz019 _-/é€😀Ж";
        int length = random.Next(6) == 0 ? random.Next(30, 300) : random.Next(0, 12);
        var chars = new System.Text.StringBuilder();
        while (chars.Length < length)
        {
            int i = random.Next(alphabet.Length);
            if (char.IsHighSurrogate(alphabet[i]))
            {
                chars.Append(alphabet, i, 2);
            }
            else if (!char.IsLowSurrogate(alphabet[i]))
            {
                chars.Append(alphabet[i]);
            }
        }

        return chars.ToString();
    }

    private static byte[] RandomBytes(Random random)
    {
        byte[] bytes = new byte[random.Next(5) == 0 ? random.Next(17, 400) : random.Next(0, 17)];
        random.NextBytes(bytes);
        return bytes;
    }
}
