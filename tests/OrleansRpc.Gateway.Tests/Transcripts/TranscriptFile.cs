using System.Text.Json;
using OrleansRpc.Testing;

namespace OrleansRpc.Gateway.Tests.Transcripts;

/// <summary>Loads a golden transcript (tests/data/transcripts/{version}/{scenario}.jsonl).</summary>
internal static class TranscriptFile
{
    public static IReadOnlyList<TranscriptLine> Load(string version, string scenario)
    {
        var lines = new List<TranscriptLine>();
        foreach (string text in File.ReadLines(TestData.Path("transcripts", version, scenario + ".jsonl")))
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            using JsonDocument doc = JsonDocument.Parse(text);
            JsonElement root = doc.RootElement;
            string hex = root.GetProperty("hex").GetString() ?? "";
            if (hex.Length == 0)
            {
                continue; // the proxy's remark, not traffic
            }

            lines.Add(new TranscriptLine(
                root.GetProperty("conn").GetInt32(),
                root.GetProperty("dir").GetString() == "c2s",
                root.GetProperty("t_ms").GetDouble(),
                Convert.FromHexString(hex)));
        }

        return lines;
    }
}
