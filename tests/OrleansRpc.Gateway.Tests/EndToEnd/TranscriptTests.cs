using OrleansRpc.Gateway.Tests.Transcripts;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.EndToEnd;

/// <summary>
/// Replays the client side of recorded rap sessions (both generations) against the conformance functions over
/// a real loopback socket and checks every server frame against the recording.
/// </summary>
public sealed class TranscriptTests
{
    public static TheoryData<string, string> PlainScenarios => Expand(
        "unary_sync", "unary_async", "unknown_func", "server_exception", "error_messages_exact", "gen_many", "channel_echo");

    [Theory]
    [MemberData(nameof(PlainScenarios))]
    public async Task Server_answers_as_recorded(string version, string scenario)
    {
        await using TestCluster cluster = await ConformanceCluster.StartAsync();
        await TranscriptReplay.RunAsync(cluster, version, scenario);
    }

    private static TheoryData<string, string> Expand(params string[] scenarios)
    {
        var data = new TheoryData<string, string>();
        foreach (string version in new[] { "head", "0.5.3.8" })
        {
            foreach (string scenario in scenarios)
            {
                data.Add(version, scenario);
            }
        }

        return data;
    }
}
