using System.Numerics;
using System.Text.Json;
using OrleansRpc.Testing;

namespace OrleansRpc.MessagePack.Tests;

/// <summary>One value of msgpack-test-suite with every encoding it accepts.</summary>
public sealed class TestSuiteVector
{
    private static readonly Lazy<IReadOnlyList<TestSuiteVector>> s_all = new(Load);

    private TestSuiteVector(string group, int index, string type, JsonElement value, IReadOnlyList<string> encodings)
    {
        Group = group;
        Index = index;
        Type = type;
        Value = value;
        Encodings = encodings;
    }

    public static IReadOnlyList<TestSuiteVector> All => s_all.Value;

    public string Group { get; }

    public int Index { get; }

    /// <summary>nil, bool, binary, number, bignum, string, array, map, timestamp or ext.</summary>
    public string Type { get; }

    public JsonElement Value { get; }

    public IReadOnlyList<string> Encodings { get; }

    /// <summary>The value as a number (number and bignum entries): an integer when it is one.</summary>
    public BigInteger? Integer =>
        Type == "bignum" ? BigInteger.Parse(Value.GetString()!, System.Globalization.CultureInfo.InvariantCulture)
        : Type == "number" && Value.TryGetInt64(out long l) ? l
        : Type == "number" && Value.TryGetUInt64(out ulong u) ? u
        : null;

    public static TestSuiteVector Get(string id)
    {
        string[] parts = id.Split('#');
        return All.Single(v => v.Group == parts[0] && v.Index == int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The expected value in the value model. Integers use the kind a smallest-form decoder yields
    /// (equality treats signed and unsigned of one value alike); timestamps are ext -1 built by the writer.
    /// </summary>
    public MessagePackValue ToExpectedValue() => Type switch
    {
        "timestamp" => MessagePackValue.FromTimestamp(new MessagePackTimestamp(Value[0].GetInt64(), Value[1].GetUInt32())),
        "ext" => MessagePackValue.FromExtension(checked((sbyte)Value[0].GetInt32()), Hex.Parse(Value[1].GetString()!)),
        "binary" => MessagePackValue.FromBinary(Hex.Parse(Value.GetString()!)),
        "bignum" or "number" when Integer is { } i => i < 0 ? MessagePackValue.FromInt64((long)i) : MessagePackValue.FromUInt64((ulong)i),
        _ => FromJson(Value),
    };

    public override string ToString() => $"{Group}#{Index}";

    private static MessagePackValue FromJson(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.Null => MessagePackValue.Nil,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => json.GetString(),
        JsonValueKind.Number when json.TryGetInt64(out long l) => l,
        JsonValueKind.Number => json.GetDouble(),
        JsonValueKind.Array => MessagePackValue.FromArray(json.EnumerateArray().Select(FromJson).ToArray()),
        JsonValueKind.Object => MessagePackValue.FromMap(json.EnumerateObject()
            .Select(p => new KeyValuePair<MessagePackValue, MessagePackValue>(p.Name, FromJson(p.Value))).ToArray()),
        _ => throw new InvalidDataException($"Unexpected JSON {json}"),
    };

    private static List<TestSuiteVector> Load()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(TestData.Path("msgpack-test-suite", "msgpack-test-suite.json")));
        var vectors = new List<TestSuiteVector>();
        foreach (JsonProperty group in doc.RootElement.EnumerateObject())
        {
            int index = 0;
            foreach (JsonElement entry in group.Value.EnumerateArray())
            {
                // An entry holds "msgpack" plus one typed key; bignum entries may carry "number" too, "bignum" wins.
                JsonProperty typed = entry.EnumerateObject().Where(p => p.Name != "msgpack")
                    .OrderBy(p => p.Name == "bignum" ? 0 : 1).First();
                string[] encodings = entry.GetProperty("msgpack").EnumerateArray().Select(e => e.GetString()!).ToArray();
                vectors.Add(new TestSuiteVector(group.Name, index++, typed.Name, typed.Value.Clone(), encodings));
            }
        }

        return vectors;
    }
}
