using OrleansRpc.Testing;

namespace OrleansRpc.Protocol.Tests.Transcripts;

/// <summary>xunit data: every recorded scenario of both generations.</summary>
public static class TranscriptScenarios
{
    public static string Folder(string version) => TestData.Path("transcripts", version);

    public static TheoryData<string, string> All()
    {
        var data = new TheoryData<string, string>();
        foreach (var version in new[] { Testing.Transcripts.Head, Testing.Transcripts.V0538 })
        {
            foreach (var scenario in Testing.Transcripts.Scenarios(Folder(version)))
            {
                data.Add(version, scenario);
            }
        }

        return data;
    }

    public static string File(string version, string scenario) => Path.Combine(Folder(version), scenario + ".jsonl");

    public static RapVersion ToVersion(string version) => version == Testing.Transcripts.Head ? RapVersion.Head : RapVersion.V0538;
}
