using System.Text.Json;

namespace OrleansRpc.Testing;

/// <summary>Finds the golden transcripts below a <c>transcripts</c> folder (<c>head/</c>, <c>0.5.3.8/</c>).</summary>
public static class Transcripts
{
    /// <summary>Folder name of the HEAD recordings.</summary>
    public const string Head = "head";

    /// <summary>Folder name of the v0.5.3.8 recordings.</summary>
    public const string V0538 = "0.5.3.8";

    /// <summary>Scenario names (file names without <c>.jsonl</c>) of one generation's folder, sorted.</summary>
    public static IReadOnlyList<string> Scenarios(string versionFolder) =>
        Directory.EnumerateFiles(versionFolder, "*.jsonl").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal).ToArray();

    /// <summary>The <c>index.json</c> entry of a scenario (check, mode, result, counts), or null.</summary>
    public static JsonElement? IndexEntry(string versionFolder, string scenario)
    {
        var path = Path.Combine(versionFolder, "index.json");
        if (!File.Exists(path))
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return document.RootElement.TryGetProperty(scenario, out var entry) ? entry.Clone() : null;
    }
}
