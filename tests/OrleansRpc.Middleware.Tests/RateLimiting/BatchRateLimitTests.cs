using OrleansRpc.MessagePack;
using OrleansRpc.Middleware.RateLimiting;
using OrleansRpc.Middleware.Tests.Infrastructure;
using OrleansRpc.Server;
using OrleansRpc.Testing;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Middleware.Tests.RateLimiting;

/// <summary>
/// Cheap calls that reach their grain as one batch call are still rate limited one by one (over a real socket): of 7
/// calls written at once, exactly the rule's 3 tokens are served and the rest get 429.
/// </summary>
public sealed class BatchRateLimitTests
{
    [Fact]
    public async Task Each_call_of_a_batch_takes_its_own_token()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 12, 8, 3, 0, 0, TimeSpan.Zero));
        await using TestCluster cluster = await MiddlewareCluster.StartAsync(
            s =>
            {
                s.AddRapServer().AddFunctionGroup<InlineFunctions>();
                s.AddRapRateLimiting(o => o.Rules.Add(new RapRateLimitRule
                {
                    Name = "add",
                    Group = "inline",
                    Function = "add",
                    MaxTokens = 3,
                    TokensPerPeriod = 1,
                    Period = TimeSpan.FromHours(1),
                }));
            },
            time);
        await using RawFrameClient client = await Frames.ConnectHeadAsync(cluster.EndPoint);

        byte[] write = [.. Enumerable.Range(0, 7).SelectMany(i => Frames.HeadCall(5 + (2 * i), "/inline/add", MessagePackValue.FromMap(("a", i), ("b", 1))))];
        await client.SendAsync(write);
        var statuses = new Dictionary<long, long>();
        while (statuses.Count < 7)
        {
            MessagePackValue frame = (await Frames.ReadUntilAsync(client, f => f[0].AsInt64() == 101))!.Value;
            statuses[frame[1].AsInt64()] = Frames.HeadStatus(frame);
        }

        Assert.Equal(3, statuses.Values.Count(s => s == 200));
        Assert.Equal(4, statuses.Values.Count(s => s == 429));
    }

    [RapGroup("inline")]
    public sealed class InlineFunctions
    {
        [RapFunction(Name = "add", SynchronousExecution = RapSynchronousExecution.Inline)]
        public static long Add(long a, long b) => a + b;
    }
}
