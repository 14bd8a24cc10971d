using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.MessagePack;
using OrleansRpc.Middleware.Admin;
using OrleansRpc.Middleware.IpFiltering;
using OrleansRpc.Middleware.Tests.Infrastructure;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Middleware.Tests.IpFiltering;

/// <summary>
/// The filter on a dual-stack listener (<c>::</c>, as <c>0.0.0.0</c> and <c>*</c> listen): an IPv4 client reaches it as
/// <c>::ffff:127.0.0.1</c> and must meet the IPv4 rules, an IPv6 client (<c>::1</c>) the IPv6 ones.
/// </summary>
public sealed class DualStackIpFilterTests
{
    [Fact]
    public async Task V4_v6_and_mapped_peers_are_allowed_or_blocked_by_their_own_rules()
    {
        await using TestCluster cluster = await MiddlewareCluster.StartAsync(
            s => s.AddRapIpFilter(o => o.BlockList.Add("127.0.0.1")),
            gateway: o => o.Host = "::");
        var v4 = new IPEndPoint(IPAddress.Loopback, cluster.EndPoint.Port);
        var v6 = new IPEndPoint(IPAddress.IPv6Loopback, cluster.EndPoint.Port);
        RapIpFilter filter = cluster.Services.GetRequiredService<RapIpFilter>();

        // The IPv4 client arrives mapped and still meets the IPv4 block entry; the IPv6 client is not blocked.
        await AssertRefusedAsync(v4);
        await using (RawFrameClient admin = await Frames.ConnectHeadAsync(v6))
        {
            // ::1 is loopback, so rap's private admin functions answer it: block IPv6 loopback.
            await admin.SendAsync(Frames.HeadCall(5, $"/{RapAdminFunctions.IpFilterGroup}/add_block_ip", MessagePackValue.FromMap(("ip", "::1"))));
            MessagePackValue? added = await Frames.ReadHeadAnswerAsync(admin, 101, 5);
            Assert.Equal(200, Frames.HeadStatus(added!.Value));
        }

        await AssertRefusedAsync(v6);
        await AssertRefusedAsync(v4);

        // A mapped allow entry is an IPv4 entry; with an allow list the block list is not consulted (rap's rule), so the
        // IPv4 client gets in although 127.0.0.1 is still blocked, and ::1 stays out because it is not allowed.
        filter.AddAllow(["::ffff:127.0.0.0/104"]);
        Assert.Equal(["127.0.0.1", "::1"], filter.BlockList);
        await using (RawFrameClient admitted = await Frames.ConnectHeadAsync(v4))
        {
            await admitted.SendAsync(Frames.HeadCall(7, "/default/sum", MessagePackValue.FromMap(("a", 1), ("b", 2))));
            MessagePackValue? sum = await Frames.ReadHeadAnswerAsync(admitted, 101, 7);
            Assert.Equal(3, sum!.Value[3].AsInt64());
        }

        await AssertRefusedAsync(v6);

        // An IPv6 allow entry admits the IPv6 client; the IPv4 one is still admitted by its own entry.
        filter.AddAllow(["::1"]);
        await using RawFrameClient v6Admitted = await Frames.ConnectHeadAsync(v6);
        await using RawFrameClient v4Admitted = await Frames.ConnectHeadAsync(v4);
        Assert.Equal(4, filter.RefusedCount);
    }

    private static async Task AssertRefusedAsync(IPEndPoint endPoint)
    {
        await using RawFrameClient refused = await RawFrameClient.ConnectAsync(endPoint);
        await refused.SendAsync(Frames.HeadDeclare());
        MessagePackValue close = MessagePackValue.Parse(await refused.ReadFrameAsync(Frames.Timeout));
        Assert.Equal("/_event/CLOSE", close[2]["target"].AsString());
        Assert.Equal(RapIpFilterMiddleware.Reason, close[3].AsString());
        Assert.Null(await refused.ReadFrameAsync(Frames.Timeout));
    }
}
