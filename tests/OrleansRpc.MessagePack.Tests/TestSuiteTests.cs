using System.Buffers;
using System.Numerics;

namespace OrleansRpc.MessagePack.Tests;

/// <summary>
/// msgpack-test-suite: encoding a value gives one of the listed byte strings, and every listed string decodes to
/// the value. The bignum group is not skipped: all its values fit in 64 bits (int64.MinValue..uint64.MaxValue),
/// which this codec covers fully, so they are checked like any integer.
/// </summary>
public class TestSuiteTests
{
    public static TheoryData<string> Vectors()
    {
        var data = new TheoryData<string>();
        foreach (TestSuiteVector v in TestSuiteVector.All)
        {
            data.Add(v.ToString());
        }

        return data;
    }

    public static TheoryData<string, string> Encodings()
    {
        var data = new TheoryData<string, string>();
        foreach (TestSuiteVector v in TestSuiteVector.All)
        {
            foreach (string e in v.Encodings)
            {
                data.Add(v.ToString(), e);
            }
        }

        return data;
    }

    [Fact]
    public void Suite_IsComplete()
    {
        // The design notes count 85 values and 233 encodings in 15 groups; loading must see them all.
        Assert.Equal(85, TestSuiteVector.All.Count);
        Assert.Equal(233, TestSuiteVector.All.Sum(v => v.Encodings.Count));
        Assert.Equal(15, TestSuiteVector.All.Select(v => v.Group).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Encoding_TheValue_GivesOneOfTheListedEncodings(string id)
    {
        TestSuiteVector vector = TestSuiteVector.Get(id);
        string encoded = Hex.Format(vector.ToExpectedValue().ToArray());
        Assert.Contains(encoded, vector.Encodings);

        // The typed writer agrees with the value model.
        byte[]? typed = vector.Type switch
        {
            "nil" => Encode.With((ref MessagePackWriter w) => w.WriteNil()),
            "bool" => Encode.With((ref MessagePackWriter w) => w.Write(vector.Value.GetBoolean())),
            "string" => Encode.With((ref MessagePackWriter w) => w.Write(vector.Value.GetString())),
            "binary" => Encode.With((ref MessagePackWriter w) => w.Write(Hex.Parse(vector.Value.GetString()!).AsSpan())),
            "timestamp" => Encode.With((ref MessagePackWriter w) => w.Write(new MessagePackTimestamp(vector.Value[0].GetInt64(), vector.Value[1].GetUInt32()))),
            "number" or "bignum" when vector.Integer is { } i => i < 0
                ? Encode.With((ref MessagePackWriter w) => w.Write((long)i))
                : Encode.With((ref MessagePackWriter w) => w.Write((ulong)i)),
            "number" => Encode.With((ref MessagePackWriter w) => w.Write(vector.Value.GetDouble())),
            _ => null,
        };
        if (typed is not null)
        {
            Assert.Contains(Hex.Format(typed), vector.Encodings);
        }
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void EveryListedEncoding_DecodesToTheValue(string id, string encoding)
    {
        TestSuiteVector vector = TestSuiteVector.Get(id);
        byte[] bytes = Hex.Parse(encoding);
        MessagePackValue decoded = MessagePackValue.Parse(bytes);

        if (vector.Type is "number" or "bignum")
        {
            // Integers may be listed in float encodings too: compare numerically.
            if (vector.Integer is { } expected)
            {
                BigInteger actual = decoded.Kind switch
                {
                    MessagePackValueKind.Integer => decoded.AsInt64(),
                    MessagePackValueKind.UnsignedInteger => decoded.AsUInt64(),
                    _ => new BigInteger(decoded.AsDouble()),
                };
                Assert.Equal(expected, actual);
                if (decoded.IsInteger)
                {
                    var reader = new MessagePackReader(bytes);
                    BigInteger typed = expected < 0 || expected <= long.MaxValue ? reader.ReadInt64() : reader.ReadUInt64();
                    Assert.Equal(expected, typed);
                }
            }
            else
            {
                Assert.Equal(vector.Value.GetDouble(), decoded.AsDouble());
            }

            // (double)BigInteger truncates; the 64-bit conversions round to nearest like the reader does.
            double expectedDouble = vector.Integer is { } n ? (n < 0 ? (double)(long)n : (double)(ulong)n) : vector.Value.GetDouble();
            Assert.Equal(expectedDouble, new MessagePackReader(bytes).ReadDouble());
        }
        else
        {
            Assert.Equal(vector.ToExpectedValue(), decoded);
        }

        if (vector.Type == "timestamp")
        {
            var reader = new MessagePackReader(bytes);
            MessagePackTimestamp ts = reader.ReadTimestamp();
            Assert.Equal(vector.Value[0].GetInt64(), ts.Seconds);
            Assert.Equal(vector.Value[1].GetUInt32(), ts.Nanoseconds);
            Assert.True(reader.End);
        }
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void EveryListedEncoding_IsOneFrame_AndEveryTruncationNeedsMoreData(string id, string encoding)
    {
        _ = id;
        byte[] bytes = Hex.Parse(encoding);
        FrameAssert.CompleteAtEnd(bytes);
        for (int cut = 0; cut < bytes.Length; cut++)
        {
            FrameAssert.NeedsMoreData(bytes.AsSpan(0, cut).ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void EveryListedEncoding_ReadsTheSame_AtEverySplitPoint(string id, string encoding)
    {
        _ = id;
        byte[] bytes = Hex.Parse(encoding);
        MessagePackValue expected = MessagePackValue.Parse(bytes);
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            ReadOnlySequence<byte> seq = Sequences.Split(bytes, cut);
            Assert.Equal(expected, MessagePackValue.Parse(seq));
            FrameAssert.CompleteAtEnd(seq);
        }

        ReadOnlySequence<byte> bytewise = Sequences.Chunked(bytes, 1, withEmptySegments: true);
        Assert.Equal(expected, MessagePackValue.Parse(bytewise));
        FrameAssert.CompleteAtEnd(bytewise);
    }
}
