using OrleansRpc.Testing;
using OrleansRpc.Gateway.Tests.Infrastructure;
using OrleansRpc.Gateway.Tests.Transcripts;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.EndToEnd;

/// <summary>
/// Replays the client side of recorded rap sessions against the conformance functions over real loopback
/// sockets and checks every server frame against the recording (see <see cref="TranscriptReplay"/>).
/// </summary>
public abstract class TranscriptTests
{
    protected static TheoryData<string> Names(string version)
    {
        var data = new TheoryData<string>();
        foreach (Scenario scenario in ScenarioCatalog.All().Where(s => s.Version == version))
        {
            data.Add(scenario.Name);
        }

        return data;
    }

    protected static async Task ReplayAsync(string version, string name)
    {
        Scenario scenario = ScenarioCatalog.All().Single(s => s.Version == version && s.Name == name);
        await RunAsync(scenario);
    }

    protected static async Task ReplayTlsAsync(string version)
    {
        using var certificate = new SelfSignedCertificate();
        await RunAsync(ScenarioCatalog.Tls(version, certificate));
    }

    private static async Task RunAsync(Scenario scenario)
    {
        await using TestCluster cluster = await ConformanceCluster.StartAsync(scenario.Server);
        ReplayOptions options = scenario.Replay?.Invoke(cluster) ?? new ReplayOptions();
        await TranscriptReplay.RunAsync(cluster, scenario.Version, scenario.Name, new ReplayOptions
        {
            KeepTiming = true,
            ServerCertificate = options.ServerCertificate,
            AfterLastClientFrame = options.AfterLastClientFrame,
            ExpectServerClose = options.ExpectServerClose,
            AnswerPings = options.AnswerPings,
            Crypto = options.Crypto,
            VariablePaths = options.VariablePaths,
            PeerAddressVaries = options.PeerAddressVaries,
            AcceptUnrecorded = options.AcceptUnrecorded,
            FrameTimeout = options.FrameTimeout,
        });
    }
}
