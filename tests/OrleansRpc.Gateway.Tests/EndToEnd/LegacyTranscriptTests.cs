namespace OrleansRpc.Gateway.Tests.EndToEnd;

/// <summary>rap 0.5.3.8 (PyPI) client sessions.</summary>
public sealed class LegacyTranscriptTests : TranscriptTests
{
    public static TheoryData<string> Scenarios => Names(ScenarioCatalog.Legacy);

    [Theory]
    [MemberData(nameof(Scenarios))]
    public Task Server_answers_as_recorded(string scenario) => ReplayAsync(ScenarioCatalog.Legacy, scenario);

    [Fact]
    public Task Server_answers_as_recorded_over_tls() => ReplayTlsAsync(ScenarioCatalog.Legacy);
}
