using System.Buffers;
using OrleansRpc.MessagePack;
using OrleansRpc.Middleware.Tests.Infrastructure;
using OrleansRpc.Protocol.Crypto;
using OrleansRpc.Testing;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Middleware.Tests.Crypto;

public sealed class RegisteredCryptoTimeWindowTests
{
    [Fact]
    public async Task A_registered_time_window_is_the_one_the_gateway_checks()
    {
        var window = new NoFutureTimeWindow();
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 3, 0, 0, TimeSpan.Zero));
        using var key = new RapCryptoKey(CryptoTranscriptTests.KeyId, CryptoTranscriptTests.Secret);
        long now = time.GetUtcNow().ToUnixTimeSeconds();
        byte[] Sealed(long timestamp, long nonce) =>
            RapCryptoEnvelope.Seal(key, new ReadOnlySequence<byte>(MessagePackValue.FromMap(("a", 1)).ToArray()), timestamp, nonce)!;

        await using TestCluster cluster = await MiddlewareCluster.StartAsync(
            s => s.AddSingleton<ICryptoTimeWindow>(window).AddRapCrypto(o =>
            {
                o.Keys[key.Id] = CryptoTranscriptTests.Secret;
                o.Timeout = TimeSpan.FromSeconds(45);
            }),
            time);
        (string, MessagePackValue)[] declare = [("crypto_id", key.Id), ("check_body", MessagePackValue.FromBinary(RapCryptoEnvelope.SealJson(key, RapCryptoEnvelope.JsonString(key.Id))))];
        await using RawFrameClient client = await Frames.ConnectHeadAsync(cluster.EndPoint, declare);

        // rap's rule accepts any future timestamp; the registered window refuses one five minutes ahead.
        await client.SendAsync(Frames.HeadCall(5, "/default/sum", MessagePackValue.FromBinary(Sealed(now + 300, 1))));
        MessagePackValue refused = (await Frames.ReadHeadAnswerAsync(client, 101, 5))!.Value;
        Assert.Equal(1007, Frames.HeadStatus(refused));
        Assert.Equal("Parse error. timeout param error", refused[3].AsString());

        await client.SendAsync(Frames.HeadCall(7, "/default/sum", MessagePackValue.FromBinary(Sealed(now, 2))));
        Assert.Equal(200, Frames.HeadStatus((await Frames.ReadHeadAnswerAsync(client, 101, 7))!.Value));
        Assert.Equal(TimeSpan.FromSeconds(45), window.SeenMaxAge);
    }

    private sealed class NoFutureTimeWindow : ICryptoTimeWindow
    {
        private long _seenMaxAgeTicks;

        public TimeSpan SeenMaxAge => TimeSpan.FromTicks(Interlocked.Read(ref _seenMaxAgeTicks));

        public bool IsAcceptable(long timestampSeconds, DateTimeOffset now, TimeSpan maxAge)
        {
            Interlocked.Exchange(ref _seenMaxAgeTicks, maxAge.Ticks);
            long age = now.ToUnixTimeSeconds() - timestampSeconds;
            return age >= -5 && age <= (long)maxAge.TotalSeconds;
        }
    }
}
