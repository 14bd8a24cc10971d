using Microsoft.Extensions.Options;
using OrleansRpc.MessagePack;
using OrleansRpc.Middleware.RateLimiting;
using OrleansRpc.Protocol.Frames;
using OrleansRpc.Testing;

namespace OrleansRpc.Middleware.Tests.RateLimiting;

public sealed class RateLimiterUnitTests
{
    [Fact]
    public void Client_chosen_partitions_are_forgotten_once_refilled_so_they_cannot_grow_without_bound()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero));
        var options = new RapRateLimitOptions();
        options.Rules.Add(new RapRateLimitRule { HeaderName = "X-key", PartitionBy = RapRateLimitPartition.Header, MaxTokens = 2, Period = TimeSpan.FromSeconds(1) });
        var limiter = new RapRateLimiter(Options.Create(options), time);

        for (int i = 0; i <= RapRateLimiter.SweepThreshold; i++)
        {
            Assert.Null(limiter.Check("default", "f", "127.0.0.1", Header(i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        Assert.Equal(RapRateLimiter.SweepThreshold + 1, limiter.BucketCount);

        // Each bucket spent one token; one period later all are full again and the next check forgets them.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(limiter.Check("default", "f", "127.0.0.1", Header("new")));
        Assert.Equal(1, limiter.BucketCount);

        // The limit itself still holds for a live partition.
        Assert.Null(limiter.Check("default", "f", "127.0.0.1", Header("new")));
        Assert.NotNull(limiter.Check("default", "f", "127.0.0.1", Header("new")));
    }

    private static RapHeader Header(string value) => new RapHeader(1).Add("X-key", MessagePackValue.FromString(value));
}
