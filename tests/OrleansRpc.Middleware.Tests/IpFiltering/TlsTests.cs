using OrleansRpc.Testing;
using System.Diagnostics.Metrics;
using OrleansRpc.MessagePack;
using OrleansRpc.Middleware.Tests.Diagnostics;
using OrleansRpc.Middleware.Tests.Infrastructure;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Middleware.Tests.IpFiltering;

/// <summary>Refusals run before the TLS handshake; byte counters run after it.</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task A_blocked_peer_gets_no_handshake_and_an_admitted_one_is_counted_in_plain_bytes()
    {
        using var certificate = new SelfSignedCertificate();
        await using TestCluster cluster = await TestCluster.StartAsync(builder => builder
            .UseTls(certificate.CertificatePath, certificate.KeyPath)
            .ConfigureServices(services =>
            {
                services.AddRapServer().AddFunction(TestFunctions.Sum, "sum");
                services.AddRapIpFilter(o => o.BlockList.Add("10.0.0.0/8"));
                services.AddRapTelemetry(o => o.Tracing = false);
            }));
        using var recorder = new MeasurementRecorder(cluster.Services.GetRequiredService<IMeterFactory>());

        byte[] declare = Frames.HeadDeclare();
        byte[] call = Frames.HeadCall(5, "/default/sum", MessagePackValue.FromMap(("a", 1), ("b", 2)));
        await using (RawFrameClient client = await RawFrameClient.ConnectTlsAsync(cluster.EndPoint, certificate.Certificate))
        {
            await client.SendAsync(declare);
            await Frames.ReadHeadAnswerAsync(client, 103, 3);
            await client.SendAsync(call);
            Assert.Equal(3, (await Frames.ReadHeadAnswerAsync(client, 101, 5))!.Value[3].AsInt64());
        }

        await Eventually.TrueAsync(() => recorder.Sum("orleansrpc.connections") == 0, "the connection to be counted closed");
        Assert.Equal(declare.Length + call.Length, recorder.Sum("orleansrpc.bytes.received"));

        // Now block loopback: the TLS handshake never completes.
        cluster.Services.GetRequiredService<OrleansRpc.Middleware.IpFiltering.RapIpFilter>().AddBlock(["127.0.0.1"]);
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using RawFrameClient refused = await RawFrameClient.ConnectTlsAsync(cluster.EndPoint, certificate.Certificate);
        });
        Assert.Equal(1, recorder.Sum("orleansrpc.connections.refused", ("reason", "ip_filter")));
    }
}
