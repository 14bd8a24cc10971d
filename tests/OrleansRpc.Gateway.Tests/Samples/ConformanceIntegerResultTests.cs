using OrleansRpc.Gateway.Tests.EndToEnd;
using OrleansRpc.Gateway.Tests.Infrastructure;
using OrleansRpc.MessagePack;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.Samples;

/// <summary>
/// Integer results are checked (Server README): <c>sum_sync(2**63 - 1, 1)</c> is answered with Python's
/// <c>OverflowError</c> over both generations, never with the wrapped -2**63.
/// </summary>
public sealed class ConformanceIntegerResultTests
{
    [Fact]
    public async Task Head_sum_sync_beyond_int64_answers_OverflowError()
    {
        await using TestCluster cluster = await ConformanceCluster.StartAsync();
        await using RawFrameClient client = await RapFrames.ConnectHeadAsync(cluster);

        foreach (string name in new[] { "sum_sync", "sum_async" })
        {
            await client.SendAsync(RapFrames.HeadCall(5, "default", name, MessagePackValue.FromMap(("a", long.MaxValue), ("b", 1))));
            MessagePackValue answer = await RapFrames.ReadAsync(client, 5);
            Assert.Equal(301, answer[2]["status_code"].AsInt64());
            Assert.Equal("OverflowError", answer[3][0].AsString());
        }

        // The connection stays usable and in-range sums are unchanged.
        await client.SendAsync(RapFrames.HeadCall(7, "default", "sum_sync", MessagePackValue.FromMap(("a", long.MaxValue - 1), ("b", 1))));
        Assert.Equal(long.MaxValue, (await RapFrames.ReadAsync(client, 7))[3].AsInt64());
    }

    [Fact]
    public async Task Legacy_sum_sync_beyond_int64_answers_OverflowError()
    {
        await using TestCluster cluster = await ConformanceCluster.StartAsync();
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        await client.SendAsync(RapFrames.LegacyCall(9, "default", "sum_sync", long.MinValue, -1));
        MessagePackValue answer = await RapFrames.ReadAsync(client, 9);
        Assert.Equal("OverflowError", answer[5]["exc"].AsString());
        Assert.False(answer[5].TryGetValue("result", out _));
    }
}
