using OrleansRpc.MessagePack;
using OrleansRpc.Middleware.RateLimiting;
using OrleansRpc.Middleware.Tests.Infrastructure;
using OrleansRpc.Testing;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Middleware.Tests.RateLimiting;

public sealed class RateLimitTests
{
    private static readonly DateTimeOffset s_start = new(2026, 11, 22, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_rule_sheds_exactly_the_excess_and_refills_with_time()
    {
        var time = new ManualTimeProvider(s_start);
        await using TestCluster cluster = await MiddlewareCluster.StartAsync(
            s => s.AddRapRateLimiting(o => o.Rules.Add(new RapRateLimitRule
            {
                Name = "sum",
                Group = "default",
                Function = "sum",
                MaxTokens = 3,
                TokensPerPeriod = 1,
                Period = TimeSpan.FromMinutes(1),
            })),
            time);
        await using RawFrameClient client = await Frames.ConnectHeadAsync(cluster.EndPoint);

        var statuses = new List<long>();
        for (long id = 5; id < 5 + (2 * 7); id += 2)
        {
            await client.SendAsync(Frames.HeadCall(id, "/default/sum", MessagePackValue.FromMap(("a", 1))));
            MessagePackValue answer = (await Frames.ReadHeadAnswerAsync(client, 101, id))!.Value;
            statuses.Add(Frames.HeadStatus(answer));
            if (Frames.HeadStatus(answer) == 429)
            {
                Assert.Equal("Too many request. expected time: 60", answer[3].AsString());
            }
        }

        Assert.Equal([200, 200, 200, 429, 429, 429, 429], statuses);

        // Another function is not matched by the rule.
        await client.SendAsync(Frames.HeadCall(101, "/default/sum_sync", MessagePackValue.FromMap(("a", 1))));
        Assert.Equal(200, Frames.HeadStatus((await Frames.ReadHeadAnswerAsync(client, 101, 101))!.Value));

        // One period later exactly one token is back.
        time.Advance(TimeSpan.FromMinutes(1));
        await client.SendAsync(Frames.HeadCall(103, "/default/sum", MessagePackValue.FromMap(("a", 1))));
        Assert.Equal(200, Frames.HeadStatus((await Frames.ReadHeadAnswerAsync(client, 101, 103))!.Value));
        await client.SendAsync(Frames.HeadCall(105, "/default/sum", MessagePackValue.FromMap(("a", 1))));
        Assert.Equal(429, Frames.HeadStatus((await Frames.ReadHeadAnswerAsync(client, 101, 105))!.Value));
    }

    [Fact]
    public async Task Header_partitioned_rule_keeps_a_bucket_per_value_and_legacy_clients_get_511()
    {
        var time = new ManualTimeProvider(s_start);
        await using TestCluster cluster = await MiddlewareCluster.StartAsync(
            s => s.AddRapRateLimiting(o =>
            {
                o.Rules.Add(new RapRateLimitRule { Name = "tenant", HeaderName = "X-tenant", PartitionBy = RapRateLimitPartition.Header, MaxTokens = 1, Period = TimeSpan.FromHours(1) });
                o.Rules.Add(new RapRateLimitRule { Name = "v6-clients", ClientIp = "2001:db8::/32", MaxTokens = 1 });
            }),
            time);
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        async Task<(long Status, string? Text)> CallAsync(long id, string? tenant)
        {
            (string, MessagePackValue)[] headers = tenant is null ? [] : [("X-tenant", tenant)];
            await client.SendAsync(Frames.LegacyCall(id, "default", "sum_async", Frames.LegacyBody(1, 2), headers));
            MessagePackValue answer = (await Frames.ReadLegacyAnswerAsync(client, id))!.Value;
            long status = answer[4]["status_code"].AsInt64();
            return (status, status == 200 ? null : answer[5].AsString());
        }

        Assert.Equal(200, (await CallAsync(1, "a")).Status);
        Assert.Equal(200, (await CallAsync(2, "b")).Status);
        (long status, string? text) = await CallAsync(3, "a");
        Assert.Equal(511, status);
        Assert.StartsWith("Too many request. expected time: ", text, StringComparison.Ordinal);
        Assert.Equal(511, (await CallAsync(4, "b")).Status);

        // No header and a loopback (IPv4) client: no rule matches, never limited.
        for (int i = 5; i < 10; i++)
        {
            Assert.Equal(200, (await CallAsync(i, null)).Status);
        }
    }
}
