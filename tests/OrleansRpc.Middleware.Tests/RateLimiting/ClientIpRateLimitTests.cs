using System.Net;
using OrleansRpc.MessagePack;
using OrleansRpc.Middleware.RateLimiting;
using OrleansRpc.Middleware.Tests.Infrastructure;
using OrleansRpc.Testing;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Middleware.Tests.RateLimiting;

/// <summary>
/// Rules matched and partitioned by client address, on a dual-stack listener so that an IPv4 client arrives as
/// <c>::ffff:127.0.0.1</c> and an IPv6 client as <c>::1</c>.
/// </summary>
public sealed class ClientIpRateLimitTests
{
    [Fact]
    public async Task A_cidr_rule_matches_mapped_ipv4_peers_only_and_client_ip_partitions_keep_a_bucket_per_address()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 2, 0, 0, TimeSpan.Zero));
        await using TestCluster cluster = await MiddlewareCluster.StartAsync(
            s => s.AddRapRateLimiting(o =>
            {
                o.Rules.Add(new RapRateLimitRule { Name = "v4-flagged", ClientIp = "127.0.0.0/8", HeaderName = "X-flagged", MaxTokens = 1, Period = TimeSpan.FromHours(1) });
                o.Rules.Add(new RapRateLimitRule { Name = "per-ip", PartitionBy = RapRateLimitPartition.ClientIp, MaxTokens = 2, Period = TimeSpan.FromHours(1) });
            }),
            time,
            gateway: o => o.Host = "::");
        await using RawFrameClient v4 = await Frames.ConnectHeadAsync(new IPEndPoint(IPAddress.Loopback, cluster.EndPoint.Port));
        await using RawFrameClient v6 = await Frames.ConnectHeadAsync(new IPEndPoint(IPAddress.IPv6Loopback, cluster.EndPoint.Port));
        long id = 5;

        async Task<long> CallAsync(RawFrameClient client, bool flagged)
        {
            id += 2;
            (string, MessagePackValue)[] headers = flagged ? [("X-flagged", "1")] : [];
            await client.SendAsync(Frames.HeadCall(id, "/default/sum", MessagePackValue.FromMap(("a", 1)), headers));
            return Frames.HeadStatus((await Frames.ReadHeadAnswerAsync(client, 101, id))!.Value);
        }

        // The CIDR rule sees the mapped peer as 127.0.0.1: one flagged call passes, the next is shed.
        Assert.Equal(200, await CallAsync(v4, flagged: true));
        Assert.Equal(429, await CallAsync(v4, flagged: true));

        // ::1 is not in 127.0.0.0/8: its flagged call falls through to its own per-ip bucket (first of two tokens).
        Assert.Equal(200, await CallAsync(v6, flagged: true));

        // 127.0.0.1's per-ip bucket is a different one: two pass, the third is shed ...
        Assert.Equal(200, await CallAsync(v4, flagged: false));
        Assert.Equal(200, await CallAsync(v4, flagged: false));
        Assert.Equal(429, await CallAsync(v4, flagged: false));

        // ... which left ::1's second token alone.
        Assert.Equal(200, await CallAsync(v6, flagged: false));
        Assert.Equal(429, await CallAsync(v6, flagged: false));
    }
}
