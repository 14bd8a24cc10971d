using OrleansRpc.MessagePack;
using OrleansRpc.Server;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.EndToEnd;

/// <summary>
/// Many HEAD generators on one connection at once: every one finishes, in order. (The lock-order deadlock
/// fixed alongside it was seen only under the load generator across two cores; this test does not
/// reproduce it reliably in process.)
/// </summary>
public sealed class ConcurrentGeneratorTests
{
    private const int Generators = 8;
    private const int Items = 2_000;

    [Fact]
    public async Task Concurrent_generators_on_one_connection_all_finish()
    {
        await using TestCluster cluster = await TestCluster.StartAsync(b => b
            .ConfigureGateway(o => o.LegacySilenceThreshold = TimeSpan.FromSeconds(60))
            .AddFunctions(f => f.AddFunction(CountUp, "count_up")));
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        for (int g = 0; g < Generators; g++)
        {
            long id = 5 + (2 * g);
            await client.SendAsync(MessagePackValue.FromArray(102, id,
                MessagePackValue.FromMap(("channel_life_cycle", "DECLARE"), ("target", "/default/count_up")), MessagePackValue.FromMap()).ToArray());
            await client.SendAsync(MessagePackValue.FromArray(102, id,
                MessagePackValue.FromMap(("channel_life_cycle", "MSG")), MessagePackValue.FromMap(("n", Items))).ToArray());
        }

        var counts = new Dictionary<long, int>();
        int dropped = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (dropped < Generators)
        {
            byte[] bytes = await client.ReadFrameAsync().WaitAsync(timeout.Token) ?? throw new InvalidOperationException("The server closed the connection.");
            MessagePackValue frame = MessagePackValue.Parse(bytes);
            if (frame[0].AsInt64() != 102)
            {
                continue; // server pings
            }

            string lifeCycle = frame[2]["channel_life_cycle"].AsString();
            long id = frame[1].AsInt64();
            if (lifeCycle == "MSG")
            {
                Assert.Equal(counts.GetValueOrDefault(id), frame[3].AsInt64()); // in order, per generator
                counts[id] = counts.GetValueOrDefault(id) + 1;
            }
            else if (lifeCycle == "DROP")
            {
                dropped++;
            }
        }

        Assert.Equal(Generators, counts.Count);
        Assert.All(counts.Values, count => Assert.Equal(Items, count));
    }

    private static async IAsyncEnumerable<long> CountUp(long n)
    {
        for (long i = 0; i < n; i++)
        {
            if (i % 100 == 0)
            {
                await Task.Yield();
            }

            yield return i;
        }
    }
}
