using System.Text.Json;
using OrleansRpc.MessagePack;
using OrleansRpc.Testing;

namespace OrleansRpc.Client.Tests.Infrastructure;

/// <summary>A recorded rap conversation (tests/data/transcripts).</summary>
internal sealed class Transcript
{
    private Transcript(string name, IReadOnlyList<TranscriptEntry> entries)
    {
        Name = name;
        Entries = entries;
    }

    public string Name { get; }

    public IReadOnlyList<TranscriptEntry> Entries { get; }

    public static Transcript Load(string version, string scenario, int connection = 0)
    {
        var path = TestData.Path("transcripts", version, scenario + ".jsonl");
        var entries = new List<TranscriptEntry>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var hex = root.GetProperty("hex").GetString();
            if (string.IsNullOrEmpty(hex) || root.GetProperty("conn").GetInt32() != connection)
            {
                continue;
            }

            var bytes = Convert.FromHexString(hex);
            entries.Add(new TranscriptEntry(connection, root.GetProperty("dir").GetString() == "c2s", bytes, MessagePackValue.Parse(bytes)));
        }

        return new Transcript(scenario, entries);
    }
}
