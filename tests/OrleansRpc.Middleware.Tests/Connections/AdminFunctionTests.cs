using OrleansRpc.MessagePack;
using OrleansRpc.Middleware.Admin;
using OrleansRpc.Middleware.Connections;
using OrleansRpc.Middleware.Tests.Infrastructure;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Middleware.Tests.Connections;

public sealed class AdminFunctionTests
{
    [Fact]
    public async Task Limits_are_read_and_changed_at_run_time_by_rap_s_private_functions()
    {
        await using TestCluster cluster = await MiddlewareCluster.StartAsync(s => s
            .AddRapConnectionLimit(o => o.MaxConnections = 10)
            .AddRapIpConnectionLimit(o => o.MaxConnectionsPerIp = 10));
        await using RawFrameClient admin = await Frames.ConnectHeadAsync(cluster.EndPoint);

        MessagePackValue info = await CallAsync(admin, 5, $"/{RapAdminFunctions.ConnectionLimitGroup}/get_conn_limit_info");
        Assert.Equal(1, info["conn_count"].AsInt64());
        Assert.Equal(10, info["max_conn"].AsInt64());
        Assert.True(info["release_timestamp"].IsInteger);

        await CallAsync(admin, 7, $"/{RapAdminFunctions.IpConnectionLimitGroup}/modify_max_ip_max_conn", ("ip_max", 5));
        await CallAsync(admin, 9, $"/{RapAdminFunctions.IpConnectionLimitGroup}/modify_ip_max_timeout", ("timeout", 60));
        MessagePackValue ipInfo = await CallAsync(admin, 11, $"/{RapAdminFunctions.IpConnectionLimitGroup}/get_info");
        Assert.Equal((5, 60), (ipInfo["ip_max_conn"].AsInt64(), ipInfo["timeout"].AsInt64()));

        // One connection is open (this one): a limit of 1 refuses the next.
        await CallAsync(admin, 13, $"/{RapAdminFunctions.ConnectionLimitGroup}/modify_max_conn", ("max_conn", 1));
        await using RawFrameClient refused = await RawFrameClient.ConnectAsync(cluster.EndPoint);
        await refused.SendAsync(Frames.HeadDeclare());
        MessagePackValue close = MessagePackValue.Parse(await refused.ReadFrameAsync(Frames.Timeout));
        Assert.Equal(RapConnectionLimitMiddleware.Reason, close[3].AsString());

        // Lift the block by moving the release time into the past, raise the limit: admitted again.
        await CallAsync(admin, 15, $"/{RapAdminFunctions.ConnectionLimitGroup}/modify_release_timestamp", ("timestamp", 0));
        await CallAsync(admin, 17, $"/{RapAdminFunctions.ConnectionLimitGroup}/modify_max_conn", ("max_conn", 2));
        await using RawFrameClient admitted = await Frames.ConnectHeadAsync(cluster.EndPoint);
    }

    [Fact]
    public async Task Admin_functions_answer_only_local_peers()
    {
        await using TestCluster cluster = await TestCluster.StartAsync(builder => builder
            .ConfigureGateway(o => o.TreatAllPeersAsRemote = true)
            .ConfigureServices(s =>
            {
                s.AddRapServer();
                s.AddRapConnectionLimit();
            }));
        await using RawFrameClient client = await Frames.ConnectHeadAsync(cluster.EndPoint);
        await client.SendAsync(Frames.HeadCall(5, $"/{RapAdminFunctions.ConnectionLimitGroup}/modify_max_conn", MessagePackValue.FromMap(("max_conn", 0))));
        MessagePackValue answer = (await Frames.ReadHeadAnswerAsync(client, 101, 5))!.Value;
        Assert.Equal(404, Frames.HeadStatus(answer));
        Assert.Equal("No permission to call:`modify_max_conn`", answer[3].AsString());
        Assert.Equal(1024, cluster.Services.GetRequiredService<RapConnectionLimiter>().MaxConnections);
    }

    private static async Task<MessagePackValue> CallAsync(RawFrameClient client, long id, string target, params (string Key, MessagePackValue Value)[] args)
    {
        await client.SendAsync(Frames.HeadCall(id, target, MessagePackValue.FromMap(args)));
        MessagePackValue answer = (await Frames.ReadHeadAnswerAsync(client, 101, id))!.Value;
        Assert.True(Frames.HeadStatus(answer) == 200, target + ": " + answer);
        return answer[3];
    }
}
