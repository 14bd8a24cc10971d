using OrleansRpc.Gateway.Tests.Transcripts;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.EndToEnd;

/// <summary>One transcript and how to serve and replay it.</summary>
internal sealed record Scenario(string Version, string Name)
{
    /// <summary>Server mode (TLS, crypto, private-remote) on top of the conformance configuration.</summary>
    public Action<TestClusterBuilder>? Server { get; init; }

    /// <summary>Replay options; <see cref="ReplayOptions.KeepTiming"/> is always on so timeouts happen as recorded.</summary>
    public Func<TestCluster, ReplayOptions>? Replay { get; init; }

    public override string ToString() => $"{Version}/{Name}";
}
