using System.Buffers;
using System.Collections.Concurrent;
using OrleansRpc.MessagePack;
using OrleansRpc.Middleware.Tests.Infrastructure;
using OrleansRpc.Protocol.Crypto;
using OrleansRpc.Testing;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Middleware.Tests.Crypto;

public sealed class SharedNonceStoreTests
{
    [Fact]
    public async Task A_registered_nonce_store_is_the_one_the_gateway_checks_so_gateways_can_share_it()
    {
        var shared = new RecordingNonceStore();
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 3, 0, 0, TimeSpan.Zero));
        using var key = new RapCryptoKey(CryptoTranscriptTests.KeyId, CryptoTranscriptTests.Secret);
        long now = time.GetUtcNow().ToUnixTimeSeconds();
        byte[] body = RapCryptoEnvelope.Seal(key, new ReadOnlySequence<byte>(MessagePackValue.FromMap(("a", 1)).ToArray()), now, 777)!;

        // Two gateways sharing one store: a request replayed to the second one is refused there.
        await using TestCluster first = await MiddlewareCluster.StartAsync(s => s.AddSingleton<INonceStore>(shared).AddRapCrypto(o => o.Keys[key.Id] = CryptoTranscriptTests.Secret), time);
        await using TestCluster second = await MiddlewareCluster.StartAsync(s => s.AddSingleton<INonceStore>(shared).AddRapCrypto(o => o.Keys[key.Id] = CryptoTranscriptTests.Secret), time);
        (string, MessagePackValue)[] declare = [("crypto_id", key.Id), ("check_body", MessagePackValue.FromBinary(RapCryptoEnvelope.SealJson(key, RapCryptoEnvelope.JsonString(key.Id))))];

        await using RawFrameClient one = await Frames.ConnectHeadAsync(first.EndPoint, declare);
        await one.SendAsync(Frames.HeadCall(5, "/default/sum", MessagePackValue.FromBinary(body)));
        Assert.Equal(200, Frames.HeadStatus((await Frames.ReadHeadAnswerAsync(one, 101, 5))!.Value));

        await using RawFrameClient two = await Frames.ConnectHeadAsync(second.EndPoint, declare);
        await two.SendAsync(Frames.HeadCall(5, "/default/sum", MessagePackValue.FromBinary(body)));
        MessagePackValue replay = (await Frames.ReadHeadAnswerAsync(two, 101, 5))!.Value;
        Assert.Equal(1007, Frames.HeadStatus(replay));
        Assert.Equal("Parse error. nonce param error", replay[3].AsString());
        Assert.Equal(2, shared.Seen.Count);
        Assert.Equal(shared.Seen[0], shared.Seen[1]);
        Assert.EndsWith("777", shared.Seen[0], StringComparison.Ordinal);
    }

    private sealed class RecordingNonceStore : INonceStore
    {
        private readonly InMemoryNonceStore _inner = new();
        private readonly ConcurrentQueue<string> _seen = new();

        public IReadOnlyList<string> Seen => [.. _seen];

        public bool TryAdd(string nonce, DateTimeOffset now, TimeSpan lifetime)
        {
            _seen.Enqueue(nonce);
            return _inner.TryAdd(nonce, now, lifetime);
        }
    }
}
