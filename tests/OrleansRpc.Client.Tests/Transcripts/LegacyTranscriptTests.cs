using OrleansRpc.Client.Tests.Infrastructure;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Crypto;

namespace OrleansRpc.Client.Tests.Transcripts;

/// <summary>
/// v0.5.3.8 mode: every frame our client sends equals what rap 0.5.3.8's client sent in the recorded scenario, apart from
/// msg_id, host port, request_id, session_id, channel_id (and crypto ciphertext, compared decrypted).
/// </summary>
public sealed class LegacyTranscriptTests
{
    public static TheoryData<string> Scenarios() =>
    [
        "unary_sync", "unary_async", "positional_params", "keyword_params", "param_count_mismatch", "param_type_mismatch",
        "group_and_alias", "private_func", "private_func_remote", "unknown_func", "server_exception", "error_messages_exact",
        "echo_types", "large_str", "large_bytes", "gen_empty", "gen_one", "gen_many", "gen_early_break", "session_implicit",
        "session_explicit", "session_execute", "channel_echo", "channel_counted_loop", "channel_client_close", "channel_server_close",
        "channel_server_raise", "channel_unknown", "channel_late", "call_timeout", "server_run_timeout", "out_of_order", "concurrent_1000",
        "keepalive",
    ];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Client_frames_match_the_recorded_legacy_client(string scenario) => await ReplayAsync(scenario, null, null);

    [Theory]
    [InlineData("crypto_unary_async")]
    [InlineData("crypto_server_exception")]
    [InlineData("crypto_gen_many")]
    [InlineData("crypto_channel_echo")]
    public async Task Encrypted_client_frames_match_after_decryption(string scenario)
    {
        using var key = new RapCryptoKey("test", "0123456789abcdef");
        await ReplayAsync(scenario, key, o => o.Crypto = new RapClientCryptoOptions { KeyId = "test", Secret = "0123456789abcdef" });
    }

    [Fact]
    public async Task Replay_detects_a_client_that_deviates_from_the_recording()
    {
        var (replayer, _) = await RunAsync("unary_sync", null, o => o.UserAgent = "Python3-0.5.4");
        Assert.Contains(replayer.Mismatches, m => m.Contains("Python3-0.5.4", StringComparison.Ordinal));
    }

    private static async Task ReplayAsync(string scenario, RapCryptoKey? key, Action<RapClientOptions>? configure)
    {
        var (replayer, problems) = await RunAsync(scenario, key, configure);
        Assert.True(replayer.Mismatches.IsEmpty, string.Join("\n", replayer.Mismatches.Take(5)));
        Assert.Empty(problems);
        Assert.True(replayer.Compared >= replayer.Requests.Count, $"only {replayer.Compared} frames compared");
    }

    private static async Task<(LegacyTranscriptReplayer Replayer, List<string> Problems)> RunAsync(string scenario, RapCryptoKey? key, Action<RapClientOptions>? configure)
    {
        var replayer = new LegacyTranscriptReplayer(Transcript.Load("0.5.3.8", scenario), key);
        await using var server = FakeRapServer.Start(replayer.HandleAsync, version: RapVersion.V0538, rawHandler: true);
        List<string> problems;
        await using (var client = RapClient.Create(server.Endpoint, o =>
        {
            o.ProtocolVersion = RapVersion.V0538;
            o.MaxConnectionsPerEndpoint = 1;
            o.MaxInFlightPerConnection = 2000;
            o.ChannelCloseTimeout = TimeSpan.FromSeconds(5);
            configure?.Invoke(o);
        }))
        {
            problems = await LegacyTranscriptScript.RunAsync(client, replayer);
        }

        return (replayer, problems);
    }
}
