using System.Buffers;
using System.Text;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Connections;
using OrleansRpc.Protocol.Crypto;
using OrleansRpc.Protocol.Tests.Connections;
using OrleansRpc.Testing;
using static OrleansRpc.Protocol.Tests.Connections.ConnectionHarness;

namespace OrleansRpc.Protocol.Tests.Crypto;

/// <summary>The crypto plug-in (§2.13, §3.13): known vectors from the spec, negotiation, checks, both directions.</summary>
public class CryptoTests
{
    private const string SpecKey = "keyskeyskeyskeys";

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    [Fact]
    public void Check_body_of_H38_decrypts_to_the_json_key_id()
    {
        using var key = new RapCryptoKey("demo_id", SpecKey);
        Assert.True(key.TryDecryptHex(Ascii("a53577f006ea33c10c92e2f7a81ea311"), out var plain));
        Assert.Equal("\"demo_id\"", Encoding.UTF8.GetString(plain));
        Assert.Equal("a53577f006ea33c10c92e2f7a81ea311", Encoding.ASCII.GetString(RapCryptoEnvelope.SealJson(key, "\"demo_id\"")));
    }

    [Fact]
    public void Request_of_H39_opens_to_its_envelope()
    {
        using var key = new RapCryptoKey("demo_id", SpecKey);
        var hex = "69e00e23bc1811b6b9404e5f1a6aeca7d64d0bece7ca74d321e7439a3df0ec4988ee29c5b86f784edfabb6387c681286c74f098f8c46d4ed62e70368a94e845eba51d8d3d1ba3054bda82e1d39674694b8142869570537cfc00e0d4ad2d5154b";
        Assert.True(RapCryptoEnvelope.TryOpen(key, Ascii(hex), out var content));
        Assert.Equal("82a16101a16202", Convert.ToHexStringLower(content.Body));
        Assert.Equal(1795315896, content.Timestamp);
        Assert.Equal("n:5222052330917036033", content.NonceKey);
    }

    [Fact]
    public void Response_of_H40_is_reproduced_byte_for_byte()
    {
        using var key = new RapCryptoKey("demo_id", SpecKey);
        var sealedBody = RapCryptoEnvelope.Seal(key, new ReadOnlySequence<byte>([0x03]), 1795315896, "1795315896SHcA4NyY");
        Assert.Equal("e173d285375ea8e9fd3bb06ec9af5254565d51827b405ff78ff55898b6189383ae17dd1f3dcb5284e51ea85ed6cbee925ba2fa0985a62f4f85775a450125aa1d1e141dd87ec64621d4b4194529f4f025",
            Encoding.ASCII.GetString(sealedBody!));
    }

    [Fact]
    public void Legacy_request_and_response_of_O32_O33_are_reproduced()
    {
        using var key = new RapCryptoKey("demo_id", SpecKey);
        var request = "63310632dd6f7d6a5040a7d56f0fd3c7a542d39d83e11905eb85a4d224b6e6391af5cbea3e53f8ca3ffa795592354b3953e3566300315111060a0652d64b9c8ddbddd0ccf923038bc0dfdfc8fb1a05486bdda39c7623b9b94f1013aceb139c05254dc314763e0c9c82623909753cdb69c68d21658753d0774f1a0d27ab957192";
        Assert.True(RapCryptoEnvelope.TryOpen(key, Ascii(request), out var content));
        Assert.Equal(Map(("call_id", -1), ("param", Array(1)), ("default_param", Map(("b", 2)))),
            MessagePackValue.Parse(content.Body));
        var body = Map(("call_id", -1), ("result", 3)).ToArray();
        var sealedBody = RapCryptoEnvelope.Seal(key, new ReadOnlySequence<byte>(body), 1795315927, "1795315927P4g78Xgp");
        Assert.Equal("63310632dd6f7d6a5040a7d56f0fd3c7c299e6f2af89d72b2a15eb9b8af985ab5a8781be76e05586237717a5b611934ed514162a68cc899209b1404b001b9f01d7ae536b15c9823ebcb1a60a35737d9824ed83c6327fa7f09cb4cce60893e69b",
            Encoding.ASCII.GetString(sealedBody!));
    }

    [Theory]
    [InlineData("null", "c0")]
    [InlineData("[1, 2.5, \"\\u00fc\", true, {\"k\": []}]", "9501cb4004000000000000a2c3bcc381a16b90")]
    [InlineData("{\"a\":18446744073709551615,\"b\":-9223372036854775808,\"c\":1e3}", "83a161cfffffffffffffffffa162d38000000000000000a163cb408f400000000000")]
    public void Json_reads_into_msgpack_with_python_types(string json, string hex) =>
        Assert.Equal(hex.Replace(" ", string.Empty, StringComparison.Ordinal), Convert.ToHexStringLower(RapJson.ToMessagePack(Encoding.UTF8.GetBytes(json))));

    [Theory]
    [InlineData("9501cb4004000000000000a2c3bcc381a16b90", "[1, 2.5, \"\\u00fc\", true, {\"k\": []}]")]
    [InlineData("92cb4008000000000000cb7ff0000000000000", "[3.0, Infinity]")]
    [InlineData("a5220a5c7f20", "\"\\\"\\n\\\\\u007f \"")]
    public void Msgpack_writes_json_like_python(string hex, string json) =>
        Assert.Equal(json, RapJson.ToJson(new ReadOnlySequence<byte>(Convert.FromHexString(hex))));

    [Theory]
    [InlineData("c40101")] // bin
    [InlineData("810101")] // int key
    public void Values_without_a_json_form_cannot_be_sealed(string hex) =>
        Assert.Null(RapJson.ToJson(new ReadOnlySequence<byte>(Convert.FromHexString(hex))));

    [Fact]
    public void Nonce_store_refuses_replays_within_the_lifetime_only()
    {
        var store = new InMemoryNonceStore();
        var now = ConnectionHarness.Start;
        Assert.True(store.TryAdd("s:x", now, TimeSpan.FromSeconds(120)));
        Assert.False(store.TryAdd("s:x", now.AddSeconds(119), TimeSpan.FromSeconds(120)));
        Assert.True(store.TryAdd("s:x", now.AddSeconds(121), TimeSpan.FromSeconds(120)));
        Assert.True(store.TryAdd("s:y", now, TimeSpan.FromSeconds(120)));
    }

    // ---- through the state machine ----

    private const string Secret = "0123456789abcdef";

    private static ConnectionHarness HeadCrypto(out RapCryptoKey key, string checkSecret = Secret, string keyId = "test", Action<RapConnectionOptions>? configure = null)
    {
        var harness = new ConnectionHarness(o =>
        {
            o.CryptoKeys["test"] = Secret;
            o.PingHeadClients = false;
            configure?.Invoke(o);
        });
        key = new RapCryptoKey(keyId, checkSecret);
        var check = RapCryptoEnvelope.SealJson(key, "\"" + keyId + "\"");
        harness.Feed(Array(103, 3, Map(("target", "/_event/DECLARE")),
            Map(("client_info", Map()), ("metadata", Map()), ("crypto_id", keyId), ("check_body", check))));
        return harness;
    }

    private static byte[] Seal(RapCryptoKey key, MessagePackValue body, DateTimeOffset at, string nonce) =>
        RapCryptoEnvelope.Seal(key, new ReadOnlySequence<byte>(body.ToArray()), at.ToUnixTimeSeconds(), nonce)!;

    [Fact]
    public void Head_encrypted_call_round_trip()
    {
        var harness = HeadCrypto(out var key);
        Assert.Equal(MessagePackValueKind.Map, harness.TakeSingle()[3].Kind);
        harness.Feed(HeadCall(11, "/default/sum", Seal(key, Map(("a", 1), ("b", 2)), harness.Time.GetUtcNow(), "n1")));
        var call = Assert.Single(harness.Handler.Calls);
        Assert.True(call.Encrypted);
        Assert.Equal("82a16101a16202", Convert.ToHexStringLower(call.Keywords));
        harness.Connection.CompleteCall(call.Token, (MessagePackValue)3);
        var answer = harness.TakeSingle();
        Assert.Empty(answer[2].AsMap());
        Assert.True(RapCryptoEnvelope.TryOpen(key, answer[3].AsBinary().Span, out var content));
        Assert.Equal("03", Convert.ToHexStringLower(content.Body));
        Assert.Equal(harness.Time.GetUtcNow().ToUnixTimeSeconds(), content.Timestamp);
        Assert.NotNull(content.NonceKey);
    }

    [Fact]
    public void Head_encrypted_body_over_MaxFrameElements_is_refused_like_a_plain_one_would_be()
    {
        // In an envelope, 200 nulls are ~1 KB of JSON: the frame scanner never sees them as elements.
        var harness = HeadCrypto(out var key, configure: o => o.MaxFrameElements = 100);
        harness.TakeFrames();
        var many = MessagePackValue.FromArray([.. Enumerable.Repeat(MessagePackValue.Nil, 200)]);
        harness.Feed(HeadCall(11, "/default/echo", Seal(key, Map(("value", many)), harness.Time.GetUtcNow(), "n1")));
        var answer = harness.TakeSingle();
        Assert.Equal(1007, answer[2]["status_code"].AsInt64());
        Assert.Equal("decrypt body error: the body is over the server's limits", answer[3].AsString());
        Assert.Empty(harness.Handler.Calls);
        Assert.False(harness.Connection.IsClosed);

        // Within the limit: the call runs.
        harness.Feed(HeadCall(13, "/default/echo", Seal(key, Map(("value", MessagePackValue.FromArray(1, 2))), harness.Time.GetUtcNow(), "n2")));
        Assert.Single(harness.Handler.Calls);
    }

    [Fact]
    public void Head_errors_and_exceptions_stay_plain_on_an_encrypted_connection()
    {
        var harness = HeadCrypto(out var key);
        harness.TakeFrames();
        harness.Feed(HeadCall(11, "/default/div", Seal(key, Map(), harness.Time.GetUtcNow(), "n1")));
        harness.Feed(HeadCall(13, "/default/nope", Seal(key, Map(), harness.Time.GetUtcNow(), "n2")));
        harness.Connection.FailCallWithException(harness.Handler.Calls[0].Token, "ZeroDivisionError", "division by zero");
        harness.Connection.FailCall(harness.Handler.Calls[1].Token, OrleansRpc.Protocol.Errors.RapErrorKind.FuncNotFound, "Not found func. name: nope");
        var frames = harness.TakeFrames();
        Assert.Equal(301, frames[0][2]["status_code"].AsInt64());
        Assert.Equal("ZeroDivisionError", frames[0][3][0].AsString());
        Assert.Equal("Not found func. name: nope", frames[1][3].AsString());
    }

    [Fact]
    public void Head_replayed_nonce_is_refused()
    {
        var harness = HeadCrypto(out var key);
        harness.TakeFrames();
        var body = Seal(key, Map(), harness.Time.GetUtcNow(), "same");
        harness.Feed(HeadCall(11, "/default/sum", body));
        harness.Feed(HeadCall(13, "/default/sum", body));
        var frame = harness.TakeSingle();
        Assert.Equal(13, frame[1].AsInt64());
        Assert.Equal(1007, frame[2]["status_code"].AsInt64());
        Assert.Equal("Parse error. nonce param error", frame[3].AsString());
    }

    [Fact]
    public void Head_old_timestamp_is_refused_but_a_future_one_is_accepted()
    {
        var harness = HeadCrypto(out var key);
        harness.TakeFrames();
        harness.Feed(HeadCall(11, "/default/sum", Seal(key, Map(), harness.Time.GetUtcNow().AddSeconds(-61), "n1")));
        var frame = harness.TakeSingle();
        Assert.Equal(1007, frame[2]["status_code"].AsInt64());
        Assert.Equal("Parse error. timeout param error", frame[3].AsString());
        harness.Feed(HeadCall(13, "/default/sum", Seal(key, Map(), harness.Time.GetUtcNow().AddSeconds(300), "n2")));
        Assert.Single(harness.Handler.Calls);
    }

    [Fact]
    public void Head_unknown_key_id_is_refused_at_DECLARE()
    {
        var harness = HeadCrypto(out _, keyId: "other");
        var frame = harness.TakeSingle();
        Assert.Equal(1007, frame[2]["status_code"].AsInt64());
        Assert.Equal("Can not found crypto_id:other", frame[3].AsString());
    }

    [Fact]
    public void Head_wrong_key_is_refused_at_DECLARE_with_key_error()
    {
        var harness = HeadCrypto(out _, checkSecret: "fedcba9876543210");
        var frame = harness.TakeSingle();
        Assert.Equal(1007, frame[2]["status_code"].AsInt64());
        Assert.Equal("key error", frame[3].AsString());
    }

    [Fact]
    public void Head_plain_body_on_an_encrypted_connection_is_refused()
    {
        var harness = HeadCrypto(out _);
        harness.TakeFrames();
        harness.Feed(HeadCall(11, "/default/sum", Map(("a", 1))));
        Assert.Equal("decrypt body error", harness.TakeSingle()[3].AsString());
    }

    [Fact]
    public void Legacy_encrypted_call_is_answered_encrypted_and_unknown_or_wrong_keys_get_509()
    {
        var harness = new ConnectionHarness(o => o.CryptoKeys["test"] = Secret);
        using var key = new RapCryptoKey("test", Secret);
        using var wrong = new RapCryptoKey("test", "fedcba9876543210");
        var body = Map(("call_id", -1), ("param", Array(1, 2)), ("default_param", Map()));
        harness.Feed(Array(101, 5, "default", "sum", LegacyHeader(("crypto_id", "test")), Seal(key, body, harness.Time.GetUtcNow(), "a")));
        harness.Feed(Array(101, 6, "default", "sum", LegacyHeader(("crypto_id", "nope")), Seal(key, body, harness.Time.GetUtcNow(), "b")));
        harness.Feed(Array(101, 7, "default", "sum", LegacyHeader(("crypto_id", "test")), Seal(wrong, body, harness.Time.GetUtcNow(), "c")));
        harness.Feed(LegacyCall(8, "sum", LegacyHeader(), -1, 1, 2));
        var call = harness.Handler.Calls[0];
        Assert.True(call.Encrypted);
        Assert.Equal("920102", Convert.ToHexStringLower(call.Positional));
        harness.Connection.CompleteCall(call.Token, (MessagePackValue)3);
        harness.Connection.CompleteCall(harness.Handler.Calls[1].Token, (MessagePackValue)3);
        var frames = harness.TakeFrames().Where(f => f[3].AsString() != "ping").ToList();
        Assert.Equal("crypto id error", frames[0][5].AsString());
        Assert.Equal(509, frames[0][4]["status_code"].AsInt64());
        Assert.Equal("decrypt body error", frames[1][5].AsString());
        Assert.Equal(5, frames[2][1].AsInt64());
        Assert.Equal("test", frames[2][4]["crypto_id"].AsString());
        Assert.True(RapCryptoEnvelope.TryOpen(key, frames[2][5].AsBinary().Span, out var content));
        Assert.Equal(Map(("call_id", -1), ("result", 3)), MessagePackValue.Parse(content.Body));
        // A plain request on the same server gets a plain answer (§7 #11: per request, not process-wide).
        Assert.Equal(MessagePackValueKind.Map, frames[3][5].Kind);
    }

    [Fact]
    public void Legacy_old_timestamp_and_replayed_nonce_get_509()
    {
        var harness = new ConnectionHarness(o => o.CryptoKeys["test"] = Secret);
        using var key = new RapCryptoKey("test", Secret);
        var body = Map(("call_id", -1), ("param", Array(1, 2)), ("default_param", Map()));
        var now = harness.Time.GetUtcNow();
        harness.Feed(Array(101, 5, "default", "sum", LegacyHeader(("crypto_id", "test")), Seal(key, body, now.AddSeconds(-61), "old")));
        harness.Feed(Array(101, 6, "default", "sum", LegacyHeader(("crypto_id", "test")), Seal(key, body, now.AddSeconds(-60), "same")));
        harness.Feed(Array(101, 7, "default", "sum", LegacyHeader(("crypto_id", "test")), Seal(key, body, now, "same")));
        var frames = harness.TakeFrames().Where(f => f[3].AsString() != "ping").ToList();
        Assert.Equal(2, frames.Count);
        Assert.Equal(5, frames[0][1].AsInt64());
        Assert.Equal(509, frames[0][4]["status_code"].AsInt64());
        Assert.Equal("Parse error. timeout param error", frames[0][5].AsString());
        Assert.Equal(7, frames[1][1].AsInt64());
        Assert.Equal(509, frames[1][4]["status_code"].AsInt64());
        Assert.Equal("Parse error. nonce param error", frames[1][5].AsString());

        // Only the envelope exactly at the age limit got through.
        Assert.Single(harness.Handler.Calls);
    }

    [Fact]
    public void A_shared_nonce_store_refuses_a_replay_on_another_connection()
    {
        var shared = new InMemoryNonceStore();
        var time = new ManualTimeProvider(ConnectionHarness.Start);
        using var key = new RapCryptoKey("test", Secret);
        var first = new ConnectionHarness(o => o.CryptoKeys["test"] = Secret, nonces: shared, time: time);
        var second = new ConnectionHarness(o => o.CryptoKeys["test"] = Secret, nonces: shared, time: time);
        var body = Seal(key, Map(("call_id", -1), ("param", Array(1, 2)), ("default_param", Map())), time.GetUtcNow(), "once");
        first.Feed(Array(101, 5, "default", "sum", LegacyHeader(("crypto_id", "test")), body));
        second.Feed(Array(101, 5, "default", "sum", LegacyHeader(("crypto_id", "test")), body));
        Assert.Single(first.Handler.Calls);
        Assert.Empty(second.Handler.Calls);
        var refused = second.TakeFrames().Single(f => f[3].AsString() != "ping");
        Assert.Equal("Parse error. nonce param error", refused[5].AsString());
        Assert.Equal(1, shared.Count);
    }

    [Fact]
    public void The_default_time_window_is_rap_s_max_age_rule()
    {
        var window = MaxAgeCryptoTimeWindow.Instance;
        var now = ConnectionHarness.Start;
        var maxAge = TimeSpan.FromSeconds(60);
        Assert.True(window.IsAcceptable(now.ToUnixTimeSeconds(), now, maxAge));
        Assert.True(window.IsAcceptable(now.ToUnixTimeSeconds() - 60, now, maxAge));
        Assert.False(window.IsAcceptable(now.ToUnixTimeSeconds() - 61, now, maxAge));
        Assert.True(window.IsAcceptable(now.ToUnixTimeSeconds() + 3600, now, maxAge)); // future: accepted, as in rap
    }

    [Fact]
    public void A_custom_time_window_replaces_the_max_age_rule_for_both_generations()
    {
        // Refuses envelopes from the future (rap accepts them) and sees the configured maximum age.
        var window = new NoFutureTimeWindow();
        var head = HeadCrypto(out var key, configure: o =>
        {
            o.CryptoTimeWindow = window;
            o.CryptoMaxAge = TimeSpan.FromSeconds(42);
        });
        head.TakeFrames();
        head.Feed(HeadCall(11, "/default/sum", Seal(key, Map(), head.Time.GetUtcNow().AddSeconds(300), "n1")));
        var refused = head.TakeSingle();
        Assert.Equal(1007, refused[2]["status_code"].AsInt64());
        Assert.Equal("Parse error. timeout param error", refused[3].AsString());
        head.Feed(HeadCall(13, "/default/sum", Seal(key, Map(), head.Time.GetUtcNow().AddSeconds(-30), "n2")));
        Assert.Single(head.Handler.Calls);
        Assert.Equal(TimeSpan.FromSeconds(42), window.SeenMaxAge);

        var legacy = new ConnectionHarness(o =>
        {
            o.CryptoKeys["test"] = Secret;
            o.CryptoTimeWindow = window;
        });
        var body = Map(("call_id", -1), ("param", Array(1, 2)), ("default_param", Map()));
        legacy.Feed(Array(101, 5, "default", "sum", LegacyHeader(("crypto_id", "test")), Seal(key, body, legacy.Time.GetUtcNow().AddSeconds(300), "n3")));
        var legacyRefused = legacy.TakeFrames().Single(f => f[3].AsString() != "ping");
        Assert.Equal(509, legacyRefused[4]["status_code"].AsInt64());
        Assert.Equal("Parse error. timeout param error", legacyRefused[5].AsString());
        Assert.Empty(legacy.Handler.Calls);
    }

    private sealed class NoFutureTimeWindow : ICryptoTimeWindow
    {
        public TimeSpan SeenMaxAge { get; private set; }

        public bool IsAcceptable(long timestampSeconds, DateTimeOffset now, TimeSpan maxAge)
        {
            SeenMaxAge = maxAge;
            long age = now.ToUnixTimeSeconds() - timestampSeconds;
            return age >= -5 && age <= (long)maxAge.TotalSeconds;
        }
    }
}
