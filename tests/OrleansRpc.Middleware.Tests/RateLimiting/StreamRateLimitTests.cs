using OrleansRpc.MessagePack;
using OrleansRpc.Middleware.RateLimiting;
using OrleansRpc.Middleware.Tests.Infrastructure;
using OrleansRpc.Testing;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Middleware.Tests.RateLimiting;

/// <summary>Rate-limit rules apply to channels and HEAD generators when they open, as to unary calls (over real sockets).</summary>
public sealed class StreamRateLimitTests
{
    [Theory]
    [InlineData("echo_channel")]
    [InlineData("count")]
    public async Task The_excess_channel_or_generator_open_is_refused_with_429(string function)
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 12, 8, 2, 0, 0, TimeSpan.Zero));
        await using TestCluster cluster = await MiddlewareCluster.StartAsync(
            s => s.AddRapRateLimiting(o => o.Rules.Add(new RapRateLimitRule
            {
                Name = "streams",
                Group = "default",
                Function = function,
                MaxTokens = 2,
                TokensPerPeriod = 1,
                Period = TimeSpan.FromMinutes(1),
            })),
            time);
        await using RawFrameClient client = await Frames.ConnectHeadAsync(cluster.EndPoint);

        var statuses = new List<long>();
        for (long id = 5; id < 5 + (2 * 3); id += 2)
        {
            await client.SendAsync(MessagePackValue.FromArray(102, id,
                MessagePackValue.FromMap(("channel_life_cycle", "DECLARE"), ("target", "/default/" + function)), MessagePackValue.FromMap()).ToArray());
            MessagePackValue answer = (await Frames.ReadHeadAnswerAsync(client, 102, id))!.Value;
            statuses.Add(Frames.HeadStatus(answer));
        }

        Assert.Equal([200, 200, 429], statuses);
    }
}
