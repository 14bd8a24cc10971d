using OrleansRpc.MessagePack;
using OrleansRpc.Middleware.Admin;
using OrleansRpc.Middleware.IpFiltering;
using OrleansRpc.Middleware.Tests.Infrastructure;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Middleware.Tests.IpFiltering;

public sealed class IpFilterSocketTests
{
    [Fact]
    public async Task A_blocked_range_is_refused_and_the_admin_functions_change_the_lists_at_run_time()
    {
        await using TestCluster cluster = await MiddlewareCluster.StartAsync(s => s.AddRapIpFilter(o => o.BlockList.Add("10.0.0.0/8")));

        // Loopback is not blocked: an admin (private, loopback-only) call blocks it, mapped form included.
        await using (RawFrameClient admin = await Frames.ConnectHeadAsync(cluster.EndPoint))
        {
            await admin.SendAsync(Frames.HeadCall(5, $"/{RapAdminFunctions.IpFilterGroup}/add_block_ip", MessagePackValue.FromMap(("ip", MessagePackValue.FromArray("::ffff:127.0.0.0/104")))));
            MessagePackValue? added = await Frames.ReadHeadAnswerAsync(admin, 101, 5);
            Assert.Equal(200, Frames.HeadStatus(added!.Value));
            await admin.SendAsync(Frames.HeadCall(7, $"/{RapAdminFunctions.IpFilterGroup}/get_block_ip", MessagePackValue.FromMap()));
            MessagePackValue? list = await Frames.ReadHeadAnswerAsync(admin, 101, 7);
            Assert.Equal(["10.0.0.0/8", "127.0.0.0/8"], list!.Value[3].AsArray().Select(v => v.AsString()));
        }

        await using (RawFrameClient refused = await RawFrameClient.ConnectAsync(cluster.EndPoint))
        {
            await refused.SendAsync(Frames.HeadDeclare());
            MessagePackValue close = MessagePackValue.Parse(await refused.ReadFrameAsync(Frames.Timeout));
            Assert.Equal("/_event/CLOSE", close[2]["target"].AsString());
            Assert.Equal(RapIpFilterMiddleware.Reason, close[3].AsString());
            Assert.Null(await refused.ReadFrameAsync(Frames.Timeout));
        }

        // An allow list overrides the block list (rap's rule): allowing loopback lets it in again.
        Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<RapIpFilter>(cluster.Services).AddAllow(["127.0.0.1"]);
        await using RawFrameClient allowed = await Frames.ConnectHeadAsync(cluster.EndPoint);
    }

    [Fact]
    public async Task A_silent_refused_connection_is_just_closed()
    {
        await using TestCluster cluster = await MiddlewareCluster.StartAsync(s =>
        {
            s.AddRapIpFilter(o => o.AllowList.Add("2001:db8::/32"));
            s.Configure<OrleansRpc.Middleware.Connections.RapRefusalOptions>(o => o.ReplyTimeout = TimeSpan.FromMilliseconds(200));
        });
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);
        Assert.Null(await client.ReadFrameAsync(Frames.Timeout));
    }
}
