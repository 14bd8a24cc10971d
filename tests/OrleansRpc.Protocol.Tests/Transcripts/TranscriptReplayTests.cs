using System.Text.Json;
using OrleansRpc.Protocol.Crypto;
using OrleansRpc.MessagePack;
using OrleansRpc.Testing;
using Xunit.Abstractions;

namespace OrleansRpc.Protocol.Tests.Transcripts;

/// <summary>
/// For every scenario of both generations: feeds the recorded client frames and clock into the connection state
/// machine, answers its application requests the way the recording shows, and requires the frames it produces to
/// equal the recorded server frames (see <see cref="TranscriptReplay"/> for what is compared by shape only).
/// </summary>
public class TranscriptReplayTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(TranscriptScenarios.All), MemberType = typeof(TranscriptScenarios))]
    public void State_machine_reproduces_the_recorded_server_frames(string version, string scenario)
    {
        var folder = TranscriptScenarios.Folder(version);
        var mode = Testing.Transcripts.IndexEntry(folder, scenario) is { } entry && entry.TryGetProperty("mode", out var m) ? m.GetString() : "plain";
        var crypto = mode == "crypto";
        var file = TranscriptScenarios.File(version, scenario);
        // In "private-remote" mode the recorded server saw (and echoed) a simulated remote peer address.
        var peer = mode == "private-remote" ? "simulated-remote" : "127.0.0.1";
        var replay = new TranscriptReplay(TranscriptScenarios.ToVersion(version), crypto, StartTime(file, crypto), peer);
        foreach (var record in TranscriptReader.Read(file))
        {
            replay.Process(record);
        }

        replay.Finish();
        output.WriteLine($"matched {replay.MatchedFrames} server frames, {replay.ServerPings} recorded server pings");
        foreach (var skipped in replay.SkippedRapFrames)
        {
            output.WriteLine("not reproduced (rap quirk): " + skipped);
        }

        Assert.True(replay.Failures.Count == 0, string.Join(Environment.NewLine, replay.Failures.Take(15)));
        Assert.True(replay.MatchedFrames > 0 || scenario.Contains("keepalive", StringComparison.Ordinal) || scenario == "crypto_wrong_key", "nothing matched");
    }

    /// <summary>
    /// The recording's wall clock: crypto envelopes carry real timestamps that the state machine checks, so the manual
    /// clock starts at the first encrypted client body's timestamp; other recordings start at an arbitrary instant.
    /// </summary>
    private static DateTimeOffset StartTime(string file, bool crypto)
    {
        if (crypto)
        {
            using var key = new RapCryptoKey(TranscriptReplay.CryptoKeyId, TranscriptReplay.CryptoSecret);
            foreach (var record in TranscriptReader.Read(file))
            {
                if (record.IsNote || record.Direction != TranscriptDirection.ClientToServer)
                {
                    continue;
                }

                var items = MessagePackValue.Parse(record.Bytes).AsArray();
                var body = items[^1];
                if (body.Kind == MessagePackValueKind.Binary && RapCryptoEnvelope.TryOpen(key, body.AsBinary().Span, out var content) && content.Timestamp is { } seconds)
                {
                    return DateTimeOffset.FromUnixTimeSeconds(seconds) - TimeSpan.FromMilliseconds(record.TimeMs);
                }
            }
        }

        return new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);
    }
}
