using OrleansRpc.Client.Tests.Infrastructure;
using OrleansRpc.Protocol;
using OrleansRpc.Testing;

namespace OrleansRpc.Client.Tests.EndToEnd;

/// <summary>Crypto, TLS, shutdown and the v0.5.3.8 mode against our server.</summary>
public sealed class RealServerModeTests
{
    [Fact]
    public async Task Crypto_works_with_the_servers_key_table_and_a_wrong_key_is_refused()
    {
        await using var cluster = await RealServer.StartAsync(b => b.ConfigureGateway(o => o.CryptoKeys["test"] = "0123456789abcdef"));
        await using (var client = RealServer.Client(cluster, o => o.Crypto = new RapClientCryptoOptions { KeyId = "test", Secret = "0123456789abcdef" }))
        {
            Assert.Equal(3, await client.InvokeAsync<long>("default", "sum_async", ("a", 1), ("b", 2)));
            var error = await Assert.ThrowsAsync<RapInvokeException>(() => client.InvokeAsync<long>("default", "raise_error", ("kind", "ZeroDivisionError"), ("message", "division by zero")).AsTask());
            Assert.Equal("ZeroDivisionError", error.PythonExceptionName);
            var items = new List<long>();
            await foreach (var item in client.StreamAsync<long>("default", "count_up", RapArgs.Of(("n", 5))))
            {
                items.Add(item);
            }

            Assert.Equal([0L, 1L, 2L, 3L, 4L], items);
            await using var channel = await client.OpenChannelAsync("default", "echo_channel");
            await channel.WriteAsync("secret");
            Assert.Equal("secret", await channel.ReadAsync<string>());
        }

        await using var wrong = RealServer.Client(cluster, o => o.Crypto = new RapClientCryptoOptions { KeyId = "test", Secret = "fedcba9876543210" });
        await Assert.ThrowsAsync<RapCryptoException>(() => wrong.StartAsync());
    }

    [Fact]
    public async Task Tls_with_a_self_signed_certificate()
    {
        using var certificate = new SelfSignedCertificate();
        await using var cluster = await RealServer.StartAsync(b => b.UseTls(certificate.CertificatePath, certificate.KeyPath));
        await using var client = RapClient.Create($"localhost:{cluster.EndPoint.Port}", o =>
        {
            o.Tls.Enabled = true;
            o.Tls.TrustedCertificate = certificate.Certificate;
        });
        Assert.Equal(3, await client.InvokeAsync<long>("default", "sum_sync", ("a", 1), ("b", 2)));
    }

    [Fact]
    public async Task A_server_shutdown_lets_the_in_flight_call_finish()
    {
        var cluster = await RealServer.StartAsync();
        await using var client = RealServer.Client(cluster, o => o.MaxConnectionsPerEndpoint = 1);
        await client.StartAsync();
        var slow = client.InvokeAsync<long>("default", "sleep_ms", ("ms", 1000)).AsTask();

        // The server reads a connection's frames in order: once the later call is answered, the slow one has arrived.
        Assert.Equal(2, await client.InvokeAsync<long>("default", "sum_sync", ("a", 1), ("b", 1)));
        var stopping = cluster.DisposeAsync().AsTask();
        Assert.Equal(1000, await slow);
        await stopping;
        await Assert.ThrowsAsync<RapConnectionException>(() =>
            client.InvokeAsync<long>("default", "sum_sync", RapArgs.Of(("a", 1), ("b", 2)), RapCallOptions.WithTimeout(TimeSpan.FromMilliseconds(500))).AsTask());
    }

    [Fact]
    public async Task Legacy_mode_calls_generators_channels_and_sessions()
    {
        await using var cluster = await RealServer.StartAsync();
        await using var client = RealServer.Client(cluster, o => o.ProtocolVersion = RapVersion.V0538);
        Assert.Equal(3, await client.InvokeAsync<long>("default", "sum_sync", RapArgs.PositionalOf(1, 2)));
        Assert.Equal("yo, t!", await client.InvokeAsync<string>("default", "greet", RapArgs.PositionalOf("t").With("greeting", "yo")));
        var error = await Assert.ThrowsAsync<RapInvokeException>(() => client.InvokeAsync<long>("default", "raise_error", RapArgs.PositionalOf("ValueError", "v")).AsTask());
        Assert.Equal("ValueError", error.PythonExceptionName);
        await Assert.ThrowsAsync<RapFunctionNotFoundException>(() => client.InvokeAsync<long>("default", "nope").AsTask());

        var items = new List<long>();
        await foreach (var item in client.StreamAsync<long>("default", "count_up", RapArgs.PositionalOf(4)))
        {
            items.Add(item);
        }

        Assert.Equal([0L, 1L, 2L, 3L], items);

        await using (var channel = await client.OpenChannelAsync("default", "echo_channel"))
        {
            await channel.WriteAsync("hi");
            Assert.Equal("hi", await channel.ReadAsync<string>());
        }

        await using var session = client.CreateSession();
        Assert.Equal(7, await session.InvokeAsync<long>("default", "sum_sync", RapArgs.PositionalOf(3, 4)));
    }
}
