namespace OrleansRpc.Gateway.Tests.EndToEnd;

/// <summary>rap HEAD (master) client sessions.</summary>
public sealed class HeadTranscriptTests : TranscriptTests
{
    public static TheoryData<string> Scenarios => Names(ScenarioCatalog.Head);

    [Theory]
    [MemberData(nameof(Scenarios))]
    public Task Server_answers_as_recorded(string scenario) => ReplayAsync(ScenarioCatalog.Head, scenario);

    [Fact]
    public Task Server_answers_as_recorded_over_tls() => ReplayTlsAsync(ScenarioCatalog.Head);
}
