using OrleansRpc.Client.Tests.Infrastructure;
using OrleansRpc.Protocol.Crypto;
using OrleansRpc.Testing;

namespace OrleansRpc.Client.Tests.Transcripts;

/// <summary>
/// Our client replays what rap's HEAD client did in each recorded scenario against a server that answers with the
/// recorded frames; every frame our client sends must equal the recorded client frame byte for byte, apart from the
/// values that vary between runs (ids, host port, deadline, crypto ciphertext — compared decrypted).
/// </summary>
public sealed class HeadTranscriptTests
{
    public static TheoryData<string> PlainScenarios() =>
    [
        "unary_sync", "unary_async", "positional_params", "keyword_params", "param_count_mismatch", "param_type_mismatch",
        "group_and_alias", "private_func", "private_func_remote", "unknown_func", "server_exception", "error_messages_exact",
        "echo_types", "large_str", "large_bytes", "gen_empty", "gen_one", "gen_many", "session_implicit", "session_explicit",
        "channel_echo", "channel_counted_loop", "channel_client_close", "channel_server_close", "channel_server_raise",
        "channel_unknown", "channel_late", "call_timeout", "server_run_timeout", "out_of_order", "concurrent_1000", "server_stopped",
    ];

    [Theory]
    [MemberData(nameof(PlainScenarios))]
    public async Task Client_frames_match_the_recorded_head_client(string scenario)
    {
        await ReplayAsync(scenario, earlyBreakAfter: null);
    }

    [Fact]
    public async Task Generator_early_break_matches_when_drop_is_disabled()
    {
        // rap's client sends nothing when a generator is abandoned; with DropAbandonedGenerators off we do the same.
        await ReplayAsync("gen_early_break", earlyBreakAfter: 3, configure: o => o.DropAbandonedGenerators = false);
    }

    [Theory]
    [InlineData("crypto_unary_async")]
    [InlineData("crypto_server_exception")]
    [InlineData("crypto_gen_many")]
    [InlineData("crypto_channel_echo")]
    public async Task Encrypted_client_frames_match_after_decryption(string scenario)
    {
        using var key = new RapCryptoKey("test", "0123456789abcdef");
        await ReplayAsync(scenario, earlyBreakAfter: null, key, o => o.Crypto = new RapClientCryptoOptions { KeyId = "test", Secret = "0123456789abcdef" });
    }

    [Fact]
    public async Task Tls_client_frames_match_the_recorded_plaintext()
    {
        using var certificate = new SelfSignedCertificate();
        await ReplayAsync("tls_unary_sync", earlyBreakAfter: null, configure: o =>
        {
            o.Tls.Enabled = true;
            o.Tls.TrustedCertificate = certificate.Certificate;
            o.Tls.TargetHost = "localhost";
        }, certificate: certificate.ServerCertificate);
    }

    [Fact]
    public async Task Replay_detects_a_client_that_deviates_from_the_recording()
    {
        // Guards the harness itself: a different user agent in DECLARE must be reported as a mismatch.
        var (replayer, _) = await RunReplayAsync("unary_sync", null, configure: o => o.UserAgent = "Python3-9.9.9");
        Assert.Contains(replayer.Mismatches, m => m.Contains("DECLARE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Replay_keeps_recorded_frames_on_the_replayed_connection_when_the_client_reconnects()
    {
        // Guards the harness: the client replaces the connection the server shut down right away, and the recorded
        // answer that follows the shutdown event must still go to the old connection, where its call waits. Holding
        // the replay back until the reconnect has declared makes the once-rare interleaving certain; sent on the new
        // connection, the answer is dropped and the call fails when the 3 s drain runs out.
        var (replayer, problems) = await RunReplayAsync("server_stopped", null, prepare: r => r.AfterServerEvent = async e =>
        {
            if (e.Target == "/_event/shutdown")
            {
                await Task.WhenAny(r.Reconnected, Task.Delay(TimeSpan.FromSeconds(1)));
            }
        });
        Assert.True(replayer.Mismatches.IsEmpty, string.Join("\n", replayer.Mismatches.Take(5)));
        Assert.Empty(problems);
    }

    private static async Task ReplayAsync(string scenario, int? earlyBreakAfter, RapCryptoKey? key = null, Action<RapClientOptions>? configure = null,
        System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null)
    {
        var (replayer, problems) = await RunReplayAsync(scenario, earlyBreakAfter, key, configure, certificate);
        Assert.True(replayer.Mismatches.IsEmpty, string.Join("\n", replayer.Mismatches.Take(5)));
        Assert.Empty(problems);
        Assert.True(replayer.Compared >= replayer.Requests.Count + 1, $"only {replayer.Compared} frames compared");
    }

    private static async Task<(HeadTranscriptReplayer Replayer, List<string> Problems)> RunReplayAsync(string scenario, int? earlyBreakAfter,
        RapCryptoKey? key = null, Action<RapClientOptions>? configure = null,
        System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null, Action<HeadTranscriptReplayer>? prepare = null)
    {
        var transcript = Transcript.Load("head", scenario);
        var replayer = new HeadTranscriptReplayer(transcript, key);
        prepare?.Invoke(replayer);
        await using var server = FakeRapServer.Start(replayer.HandleAsync, certificate: certificate, rawHandler: true);
        var client = RapClient.Create(server.Endpoint, o =>
        {
            o.ChannelCloseTimeout = TimeSpan.FromSeconds(5);
            o.MaxConnectionsPerEndpoint = 1;
            o.MaxInFlightPerConnection = 2000;
            configure?.Invoke(o);
        });
        List<string> problems;
        await using (client)
        {
            await client.StartAsync();
            problems = await HeadTranscriptScript.RunAsync(client, replayer, scenario, earlyBreakAfter);
        }

        return (replayer, problems);
    }
}
