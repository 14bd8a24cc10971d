using System.Buffers;
using OrleansRpc.Client.Tests.Infrastructure;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Crypto;
using OrleansRpc.Testing;

namespace OrleansRpc.Client.Tests.Mechanics;

public sealed class CryptoAndTlsTests
{
    private const string KeyId = "demo_id";
    private const string Secret = "keyskeyskeyskeys";

    [Fact]
    public async Task Crypto_negotiates_in_declare_and_encrypts_bodies_both_ways()
    {
        using var key = new RapCryptoKey(KeyId, Secret);
        var seenPlainBodies = new List<MessagePackValue>();
        async Task Handler(FakeConnection connection, ServerFrame frame)
        {
            if (frame.Type == 103 && frame.Target == "/_event/DECLARE")
            {
                // check_body is the encryption of the JSON string of the key id (H-38).
                Assert.Equal(KeyId, frame.Body["crypto_id"].AsString());
                Assert.Equal(Convert.ToHexStringLower(RapCryptoEnvelope.SealJson(key, "\"demo_id\"")), Convert.ToHexStringLower(frame.Body["check_body"].AsBinary().Span));
                await connection.SendAsync(Frames.DeclareAnswer(frame.Id));
                return;
            }

            if (frame.Type == 103)
            {
                Assert.Equal(MessagePackValueKind.Map, frame.Body.Kind);
                await connection.SendAsync(Frames.Head(103, frame.Id, Frames.EmptyMap));
                return;
            }

            if (frame.Type == 101)
            {
                Assert.Equal(MessagePackValueKind.Binary, frame.Body.Kind);
                Assert.True(RapCryptoEnvelope.TryOpen(key, frame.Body.AsBinary().Span, out var content));
                Assert.NotNull(content.NonceKey);
                var body = MessagePackValue.Parse(content.Body);
                lock (seenPlainBodies)
                {
                    seenPlainBodies.Add(body);
                }

                if (frame.Target == "/default/div")
                {
                    // Errors stay plain (recommended server behaviour, §2.13).
                    await connection.SendAsync(Frames.Error(101, frame.Id, 301, MessagePackValue.FromArray("ZeroDivisionError", "division by zero")));
                    return;
                }

                var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                var result = MessagePackValue.FromInt64(body["a"].AsInt64() + body["b"].AsInt64()).ToArray();
                var sealedBody = RapCryptoEnvelope.Seal(key, new ReadOnlySequence<byte>(result), now, RapCryptoEnvelope.NewNonce(now))!;
                await connection.SendAsync(Frames.Head(101, frame.Id, sealedBody));
            }
        }

        await using var server = FakeRapServer.Start(Handler, rawHandler: true);
        await using var client = RapClient.Create(server.Endpoint, o => o.Crypto = new RapClientCryptoOptions { KeyId = KeyId, Secret = Secret });
        Assert.Equal(3, await client.InvokeAsync<int>("default", "sum", ("a", 1), ("b", 2)));
        Assert.Equal(30, await client.InvokeAsync<int>("default", "sum", ("a", 10), ("b", 20)));
        var error = await Assert.ThrowsAsync<RapInvokeException>(() => client.InvokeAsync<int>("default", "div", ("a", 1), ("b", 0)).AsTask());
        Assert.Equal("ZeroDivisionError", error.PythonExceptionName);
        Assert.Equal(MessagePackValue.FromMap(("a", 1), ("b", 2)), seenPlainBodies[0]);
    }

    [Fact]
    public async Task A_replayed_or_stale_encrypted_answer_is_refused()
    {
        using var key = new RapCryptoKey(KeyId, Secret);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var reused = RapCryptoEnvelope.Seal(key, new ReadOnlySequence<byte>(MessagePackValue.FromInt64(1).ToArray()), now, "1234567890fixednon")!;
        var stale = RapCryptoEnvelope.Seal(key, new ReadOnlySequence<byte>(MessagePackValue.FromInt64(1).ToArray()), now - 3600, "1234567890othernon")!;
        var functions = new FakeFunctions()
            .AddRaw("/default/replay", (c, f) => c.SendAsync(Frames.Head(101, f.Id, reused)))
            .AddRaw("/default/stale", (c, f) => c.SendAsync(Frames.Head(101, f.Id, stale)));
        await using var server = FakeRapServer.Start(functions.HandleAsync);
        await using var client = RapClient.Create(server.Endpoint, o => o.Crypto = new RapClientCryptoOptions { KeyId = KeyId, Secret = Secret });

        Assert.Equal(1, await client.InvokeAsync<int>("default", "replay"));
        var replay = await Assert.ThrowsAsync<RapCryptoException>(() => client.InvokeAsync<int>("default", "replay").AsTask());
        Assert.Equal("Can't decrypt body.", replay.RemoteMessage);
        await Assert.ThrowsAsync<RapCryptoException>(() => client.InvokeAsync<int>("default", "stale").AsTask());
    }

    [Fact]
    public async Task Tls_with_a_trusted_self_signed_certificate_works()
    {
        using var certificate = new SelfSignedCertificate();
        await using var server = FakeRapServer.Start(FakeFunctions.Standard().HandleAsync, certificate: certificate.ServerCertificate);
        await using var client = RapClient.Create($"localhost:{server.Port}", o =>
        {
            o.Tls.Enabled = true;
            o.Tls.TrustedCertificate = certificate.Certificate;
        });
        Assert.Equal(3, await client.InvokeAsync<int>("default", "sum", ("a", 1), ("b", 2)));
    }

    [Fact]
    public async Task Tls_refuses_an_untrusted_certificate()
    {
        using var certificate = new SelfSignedCertificate();
        await using var server = FakeRapServer.Start(FakeFunctions.Standard().HandleAsync, certificate: certificate.ServerCertificate);
        await using var client = RapClient.Create($"localhost:{server.Port}", o => o.Tls.Enabled = true);
        await Assert.ThrowsAsync<RapConnectionException>(() => client.StartAsync());
    }

    [Fact]
    public async Task Tls_checks_the_host_name_unless_turned_off()
    {
        using var certificate = new SelfSignedCertificate("rap.test");
        var trusted = certificate.Certificate;
        await using var server = FakeRapServer.Start(FakeFunctions.Standard().HandleAsync, certificate: certificate.ServerCertificate);

        await using (var strict = RapClient.Create(server.Endpoint, o =>
        {
            o.Tls.Enabled = true;
            o.Tls.TrustedCertificate = trusted;
            o.Tls.TargetHost = "other.test";
        }))
        {
            await Assert.ThrowsAsync<RapConnectionException>(() => strict.StartAsync());
        }

        await using var relaxed = RapClient.Create(server.Endpoint, o =>
        {
            o.Tls.Enabled = true;
            o.Tls.TrustedCertificate = trusted;
            o.Tls.TargetHost = "other.test";
            o.Tls.CheckHostName = false;
        });
        Assert.Equal(3, await relaxed.InvokeAsync<int>("default", "sum", ("a", 1), ("b", 2)));
    }
}
