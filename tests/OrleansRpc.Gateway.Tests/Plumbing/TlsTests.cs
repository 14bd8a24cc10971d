using OrleansRpc.Testing;
using System.Security.Authentication;
using OrleansRpc.Gateway.Tests.Infrastructure;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.Plumbing;

/// <summary>TLS on the rap port with PEM certificate and key files.</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task Tls_client_trusting_the_certificate_is_served()
    {
        using var certificate = new SelfSignedCertificate();
        var calls = new TestCalls();
        await using TestCluster cluster = await PlumbingCluster.StartAsync(calls, b => b.UseTls(certificate.CertificatePath, certificate.KeyPath));
        await using RawFrameClient client = await RawFrameClient.ConnectTlsAsync(cluster.EndPoint, certificate.Certificate);

        byte[] frame = PlumbingCluster.Echo(1, "over tls");
        await client.SendAsync(frame);
        Assert.Equal(frame, await client.ReadFrameAsync());

        // Large frames cross TLS records too.
        byte[] big = PlumbingCluster.Echo(2, new string('t', 2 * 1024 * 1024));
        await client.SendAsync(big);
        Assert.Equal(big, await client.ReadFrameAsync());
    }

    [Fact]
    public async Task Plain_tcp_client_on_the_tls_port_is_not_served()
    {
        using var certificate = new SelfSignedCertificate();
        var calls = new TestCalls();
        await using TestCluster cluster = await PlumbingCluster.StartAsync(calls, b => b.UseTls(certificate.CertificatePath, certificate.KeyPath));
        await using RawFrameClient plain = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        await plain.SendAsync(PlumbingCluster.Echo(1, "no tls"));
        Assert.Null(await plain.ReadFrameAsync());
    }

    [Fact]
    public async Task Client_that_does_not_trust_the_certificate_fails_the_handshake()
    {
        using var served = new SelfSignedCertificate();
        using var other = new SelfSignedCertificate();
        var calls = new TestCalls();
        await using TestCluster cluster = await PlumbingCluster.StartAsync(calls, b => b.UseTls(served.CertificatePath, served.KeyPath));

        await Assert.ThrowsAsync<AuthenticationException>(() => RawFrameClient.ConnectTlsAsync(cluster.EndPoint, other.Certificate));
    }
}
