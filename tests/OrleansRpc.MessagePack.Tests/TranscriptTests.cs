using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using OrleansRpc.Testing;

namespace OrleansRpc.MessagePack.Tests;

/// <summary>
/// Every byte stream recorded between the real rap Python client and server (both protocol versions): framed in
/// 1 KiB segments as rap reads them, every frame ends exactly where the recording says, decodes to the recorded
/// object and re-encodes byte-identically (Python's packb uses the smallest forms, as this writer does).
/// </summary>
public class TranscriptTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (string version in new[] { "head", "0.5.3.8" })
        {
            foreach (string file in Directory.GetFiles(TestData.Path("transcripts", version), "*.jsonl").Order(StringComparer.Ordinal))
            {
                data.Add(version + "/" + Path.GetFileName(file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void RecordedStreams_FrameDecodeAndReEncodeExactly(string name)
    {
        var streams = new Dictionary<(int Conn, string Dir), List<(byte[] Bytes, JsonElement Decoded)>>();
        foreach (string line in File.ReadLines(TestData.Path(["transcripts", .. name.Split('/')])))
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement root = doc.RootElement;
            string hex = root.GetProperty("hex").GetString()!;
            if (hex.Length == 0)
            {
                continue; // the proxy's note, not traffic
            }

            var key = (root.GetProperty("conn").GetInt32(), root.GetProperty("dir").GetString()!);
            if (!streams.TryGetValue(key, out var frames))
            {
                streams[key] = frames = [];
            }

            frames.Add((Convert.FromHexString(hex), root.GetProperty("decoded").Clone()));
        }

        Assert.NotEmpty(streams);
        foreach (var frames in streams.Values)
        {
            byte[] stream = frames.SelectMany(f => f.Bytes).ToArray();
            ReadOnlySequence<byte> buffer = Sequences.Chunked(stream, 1024);
            foreach ((byte[] expected, JsonElement decoded) in frames)
            {
                Assert.Equal(MessagePackFrameStatus.Complete, MessagePackFrameReader.TryReadNext(buffer, MessagePackReaderOptions.Default, out SequencePosition end));
                ReadOnlySequence<byte> frame = buffer.Slice(0, end);
                Assert.Equal(expected.Length, frame.Length);
                MessagePackValue value = MessagePackValue.Parse(frame);
                Assert.True(Matches(decoded, value), $"{name}: {decoded} vs {value}");
                Assert.Equal(expected, value.ToArray());
                buffer = buffer.Slice(end);
            }

            Assert.True(buffer.IsEmpty);
        }
    }

    private static bool Matches(JsonElement json, MessagePackValue value)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Null:
                return value.IsNil;
            case JsonValueKind.True:
            case JsonValueKind.False:
                return value.Kind == MessagePackValueKind.Boolean && value.AsBoolean() == json.GetBoolean();
            case JsonValueKind.String:
                return value.IsString && value.AsString() == json.GetString();
            case JsonValueKind.Number:
                if (value.IsInteger)
                {
                    BigInteger actual = value.Kind == MessagePackValueKind.Integer ? value.AsInt64() : value.AsUInt64();
                    return BigInteger.TryParse(json.GetRawText(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out BigInteger expected) && expected == actual;
                }

                return value.IsFloat && value.AsDouble() == json.GetDouble();
            case JsonValueKind.Array:
                return value.Kind == MessagePackValueKind.Array && value.Count == json.GetArrayLength()
                    && json.EnumerateArray().Select((e, i) => Matches(e, value[i])).All(m => m);
            default:
                if (json.TryGetProperty("$bin", out JsonElement bin))
                {
                    return value.Kind == MessagePackValueKind.Binary && value.AsBinary().Span.SequenceEqual(Convert.FromHexString(bin.GetString()!));
                }

                if (json.TryGetProperty("$float", out JsonElement special))
                {
                    double d = value.AsDouble();
                    return special.GetString() switch
                    {
                        "nan" => double.IsNaN(d),
                        "inf" => double.IsPositiveInfinity(d),
                        "-inf" => double.IsNegativeInfinity(d),
                        _ => false,
                    };
                }

                if (json.TryGetProperty("$ext", out JsonElement ext))
                {
                    (sbyte type, ReadOnlyMemory<byte> data) = value.AsExtension();
                    return type == ext.GetInt32() && data.Span.SequenceEqual(Convert.FromHexString(json.GetProperty("hex").GetString()!));
                }

                if (value.Kind != MessagePackValueKind.Map)
                {
                    return false;
                }

                var entries = value.AsMap();
                var props = json.EnumerateObject().ToList();
                if (props.Count != entries.Count)
                {
                    return false;
                }

                for (int i = 0; i < props.Count; i++)
                {
                    string name = props[i].Name;
                    bool keyMatches = name.StartsWith("$key:", StringComparison.Ordinal)
                        ? Matches(JsonDocument.Parse(name["$key:".Length..]).RootElement, entries[i].Key)
                        : entries[i].Key.IsString && entries[i].Key.AsString() == name;
                    if (!keyMatches || !Matches(props[i].Value, entries[i].Value))
                    {
                        return false;
                    }
                }

                return true;
        }
    }
}
