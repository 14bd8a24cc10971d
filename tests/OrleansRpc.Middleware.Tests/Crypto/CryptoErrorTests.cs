using System.Buffers;
using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.MessagePack;
using OrleansRpc.Middleware.Admin;
using OrleansRpc.Middleware.Crypto;
using OrleansRpc.Middleware.Tests.Infrastructure;
using OrleansRpc.Protocol.Crypto;
using OrleansRpc.Testing;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Middleware.Tests.Crypto;

/// <summary>Each refused envelope gets the spec's exact status and text (§2.13 HEAD 1007, §3.13 0.5.3.8 509).</summary>
public sealed class CryptoErrorTests : IAsyncLifetime
{
    private const string KeyId = CryptoTranscriptTests.KeyId;
    private const string Secret = CryptoTranscriptTests.Secret;
    private static readonly DateTimeOffset s_now = new(2026, 11, 22, 1, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _time = new(s_now);
    private readonly RapCryptoKey _key = new(KeyId, Secret);
    private TestCluster _cluster = null!;
    private long _nonce = 1000;

    public async Task InitializeAsync() =>
        _cluster = await MiddlewareCluster.StartAsync(s => s.AddRapCrypto(o => o.Keys[KeyId] = Secret), _time);

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _key.Dispose();
    }

    [Fact]
    public async Task Head_valid_call_then_replayed_nonce_old_timestamp_and_undecryptable_body()
    {
        await using RawFrameClient client = await ConnectEncryptedAsync(KeyId, _key);
        long now = s_now.ToUnixTimeSeconds();
        byte[] sealedBody = Seal(_key, MessagePackValue.FromMap(("a", 1), ("b", 2)), now, _nonce++);

        Assert.Equal(3, Open(_key, await CallAsync(client, 5, sealedBody, expectStatus: 200)).AsInt64());
        Assert.Equal("Parse error. nonce param error", (await CallAsync(client, 7, sealedBody, expectStatus: 1007)).AsString());
        byte[] stale = Seal(_key, MessagePackValue.FromMap(("a", 1)), now - 61, _nonce++);
        Assert.Equal("Parse error. timeout param error", (await CallAsync(client, 9, stale, expectStatus: 1007)).AsString());
        byte[] edge = Seal(_key, MessagePackValue.FromMap(("a", 1)), now - 60, _nonce++);
        Assert.Equal(3, Open(_key, await CallAsync(client, 11, edge, expectStatus: 200)).AsInt64());
        using var other = new RapCryptoKey("other", "fedcba9876543210");
        byte[] wrong = Seal(other, MessagePackValue.FromMap(("a", 1)), now, _nonce++);
        Assert.Equal("decrypt body error", (await CallAsync(client, 13, wrong, expectStatus: 1007)).AsString());
    }

    [Fact]
    public async Task Head_unknown_key_id_and_wrong_key_fail_the_declare()
    {
        await using (RawFrameClient unknown = await RawFrameClient.ConnectAsync(_cluster.EndPoint))
        {
            await unknown.SendAsync(Frames.HeadDeclare(("crypto_id", "nope"), ("check_body", MessagePackValue.FromBinary(RapCryptoEnvelope.SealJson(_key, "\"nope\"")))));
            MessagePackValue answer = (await Frames.ReadHeadAnswerAsync(unknown, 103, 3))!.Value;
            Assert.Equal(1007, Frames.HeadStatus(answer));
            Assert.Equal("Can not found crypto_id:nope", answer[3].AsString());
        }

        using var other = new RapCryptoKey(KeyId, "fedcba9876543210");
        await using RawFrameClient wrong = await RawFrameClient.ConnectAsync(_cluster.EndPoint);
        await wrong.SendAsync(Frames.HeadDeclare(("crypto_id", KeyId), ("check_body", MessagePackValue.FromBinary(RapCryptoEnvelope.SealJson(other, "\"test\"")))));
        MessagePackValue refused = (await Frames.ReadHeadAnswerAsync(wrong, 103, 3))!.Value;
        Assert.Equal(1007, Frames.HeadStatus(refused));
        Assert.Equal("key error", refused[3].AsString());
    }

    [Fact]
    public async Task Legacy_unknown_key_id_replayed_nonce_old_timestamp_and_wrong_key_get_509()
    {
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(_cluster.EndPoint);
        long now = s_now.ToUnixTimeSeconds();
        byte[] body = Seal(_key, Frames.LegacyBody(1, 2), now, _nonce++);

        MessagePackValue ok = await LegacyCallAsync(client, 21, body, KeyId);
        Assert.Equal(200, ok[4]["status_code"].AsInt64());
        Assert.Equal(3, Open(_key, ok[5])["result"].AsInt64());

        Assert.Equal((509, "Parse error. nonce param error"), Status(await LegacyCallAsync(client, 22, body, KeyId)));
        Assert.Equal((509, "crypto id error"), Status(await LegacyCallAsync(client, 23, Seal(_key, Frames.LegacyBody(1, 2), now, _nonce++), "nope")));
        Assert.Equal((509, "Parse error. timeout param error"), Status(await LegacyCallAsync(client, 24, Seal(_key, Frames.LegacyBody(1, 2), now - 61, _nonce++), KeyId)));
        using var other = new RapCryptoKey(KeyId, "fedcba9876543210");
        Assert.Equal((509, "decrypt body error"), Status(await LegacyCallAsync(client, 25, Seal(other, Frames.LegacyBody(1, 2), now, _nonce++), KeyId)));
    }

    [Fact]
    public async Task Admin_functions_load_list_and_remove_keys_and_change_the_timestamp_window()
    {
        const string newId = "k2";
        using var newKey = new RapCryptoKey(newId, "fedcba9876543210");
        await using RawFrameClient admin = await Frames.ConnectHeadAsync(_cluster.EndPoint);
        string group = "/" + RapAdminFunctions.CryptoGroup + "/";

        await AdminAsync(admin, 5, group + "load_aes_key_dict", ("aes_key_dict", MessagePackValue.FromMap((newId, "fedcba9876543210"))));
        MessagePackValue ids = await AdminAsync(admin, 7, group + "get_crypto_key_id_list");
        Assert.Equal([newId, KeyId], ids.AsArray().Select(v => v.AsString()).Order(StringComparer.Ordinal));

        long now = s_now.ToUnixTimeSeconds();
        await using (RawFrameClient withNewKey = await ConnectEncryptedAsync(newId, newKey))
        {
            Assert.Equal(3, Open(newKey, await CallAsync(withNewKey, 5, Seal(newKey, MessagePackValue.FromMap(("a", 1)), now, _nonce++), 200)).AsInt64());
        }

        // A shorter timestamp window applies to connections accepted afterwards.
        await AdminAsync(admin, 9, group + "modify_crypto_timeout", ("timeout", 10));
        Assert.Equal(TimeSpan.FromSeconds(10), _cluster.Services.GetRequiredService<RapCryptoSettings>().MaxAge);
        await using (RawFrameClient strict = await ConnectEncryptedAsync(KeyId, _key))
        {
            byte[] elevenSecondsOld = Seal(_key, MessagePackValue.FromMap(("a", 1)), now - 11, _nonce++);
            Assert.Equal("Parse error. timeout param error", (await CallAsync(strict, 5, elevenSecondsOld, 1007)).AsString());
        }

        await AdminAsync(admin, 11, group + "modify_crypto_nonce_timeout", ("timeout", 30));
        Assert.Equal(TimeSpan.FromSeconds(30), _cluster.Services.GetRequiredService<RapCryptoSettings>().NonceLifetime);

        await AdminAsync(admin, 13, group + "remove_aes", ("key", newId));
        await using RawFrameClient removed = await RawFrameClient.ConnectAsync(_cluster.EndPoint);
        await removed.SendAsync(Frames.HeadDeclare(("crypto_id", newId), ("check_body", MessagePackValue.FromBinary(RapCryptoEnvelope.SealJson(newKey, "\"k2\"")))));
        MessagePackValue answer = (await Frames.ReadHeadAnswerAsync(removed, 103, 3))!.Value;
        Assert.Equal("Can not found crypto_id:k2", answer[3].AsString());
    }

    private async Task<RawFrameClient> ConnectEncryptedAsync(string keyId, RapCryptoKey key) =>
        await Frames.ConnectHeadAsync(
            _cluster.EndPoint,
            ("crypto_id", keyId),
            ("check_body", MessagePackValue.FromBinary(RapCryptoEnvelope.SealJson(key, RapCryptoEnvelope.JsonString(keyId)))));

    private static async Task<MessagePackValue> CallAsync(RawFrameClient client, long id, byte[] sealedBody, long expectStatus)
    {
        await client.SendAsync(Frames.HeadCall(id, "/default/sum", MessagePackValue.FromBinary(sealedBody)));
        MessagePackValue answer = (await Frames.ReadHeadAnswerAsync(client, 101, id))!.Value;
        Assert.Equal(expectStatus, Frames.HeadStatus(answer));
        return answer[3];
    }

    private static async Task<MessagePackValue> LegacyCallAsync(RawFrameClient client, long id, byte[] sealedBody, string keyId)
    {
        await client.SendAsync(Frames.LegacyCall(id, "default", "sum_async", MessagePackValue.FromBinary(sealedBody), ("crypto_id", keyId)));
        return (await Frames.ReadLegacyAnswerAsync(client, id))!.Value;
    }

    private static async Task<MessagePackValue> AdminAsync(RawFrameClient client, long id, string target, params (string Key, MessagePackValue Value)[] args)
    {
        await client.SendAsync(Frames.HeadCall(id, target, MessagePackValue.FromMap(args)));
        MessagePackValue answer = (await Frames.ReadHeadAnswerAsync(client, 101, id))!.Value;
        Assert.True(Frames.HeadStatus(answer) == 200, target + " failed: " + answer);
        return answer[3];
    }

    private static (long, string) Status(MessagePackValue frame) => (frame[4]["status_code"].AsInt64(), frame[5].AsString());

    private static byte[] Seal(RapCryptoKey key, MessagePackValue body, long timestamp, long nonce) =>
        RapCryptoEnvelope.Seal(key, new ReadOnlySequence<byte>(body.ToArray()), timestamp, nonce)!;

    private static MessagePackValue Open(RapCryptoKey key, MessagePackValue sealedBody)
    {
        Assert.Equal(MessagePackValueKind.Binary, sealedBody.Kind);
        Assert.True(RapCryptoEnvelope.TryOpen(key, sealedBody.AsBinary().Span, out RapCryptoEnvelopeContent content));
        return MessagePackValue.Parse(content.Body);
    }
}
