using OrleansRpc.Gateway.Tests.EndToEnd;
using OrleansRpc.Gateway.Tests.Infrastructure;
using OrleansRpc.MessagePack;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.Hostile;

/// <summary>
/// A call whose argument nests deeper than the server decodes (legal msgpack a Python client can send, up to 511
/// levels) is that call's bad parameters: answered with ParseError (HEAD 1002, v0.5.3.8 504), the connection open.
/// </summary>
public sealed class DeepArgumentTests
{
    private static MessagePackValue Nested(int levels)
    {
        MessagePackValue value = 1;
        for (int i = 0; i < levels; i++)
        {
            value = MessagePackValue.FromArray(value);
        }

        return value;
    }

    [Theory]
    [InlineData(62)]
    [InlineData(70)]
    [InlineData(500)]
    public async Task Head_deep_argument_gets_an_error_answer_and_the_connection_stays(int levels)
    {
        await using TestCluster cluster = await ConformanceCluster.StartAsync();
        await using RawFrameClient client = await RapFrames.ConnectHeadAsync(cluster);

        await client.SendAsync(RapFrames.HeadCall(5, "default", "echo", MessagePackValue.FromMap(("value", Nested(levels)))));
        MessagePackValue answer = await RapFrames.ReadAsync(client, 5);
        long status = answer[2].TryGetValue("status_code", out MessagePackValue code) ? code.AsInt64() : 200;
        if (status == 200)
        {
            Assert.Equal(Nested(levels), answer[3]); // within the decoder's depth: echoed
        }
        else
        {
            Assert.True(status == 1002, $"status {status}: {answer}"); // beyond it: ParseError for this call
        }

        await client.SendAsync(RapFrames.HeadCall(7, "default", "sum_sync", MessagePackValue.FromMap(("a", 1), ("b", 2))));
        Assert.Equal(3, (await RapFrames.ReadAsync(client, 7))[3].AsInt64());
    }

    [Fact]
    public async Task Head_argument_beyond_the_decoder_depth_is_a_parse_error()
    {
        await using TestCluster cluster = await ConformanceCluster.StartAsync();
        await using RawFrameClient client = await RapFrames.ConnectHeadAsync(cluster);

        await client.SendAsync(RapFrames.HeadCall(5, "default", "echo", MessagePackValue.FromMap(("value", Nested(100)))));
        MessagePackValue answer = await RapFrames.ReadAsync(client, 5);
        Assert.Equal(1002, answer[2]["status_code"].AsInt64());
        Assert.StartsWith("Parse error", answer[3].AsString());
    }

    [Theory]
    [InlineData("echo_channel")]
    [InlineData("count_up")]
    public async Task Head_deep_channel_message_ends_that_channel_with_1002_and_the_connection_stays(string function)
    {
        await using TestCluster cluster = await ConformanceCluster.StartAsync();
        await using RawFrameClient client = await RapFrames.ConnectHeadAsync(cluster);

        await client.SendAsync(MessagePackValue.FromArray(102, 9, MessagePackValue.FromMap(("channel_life_cycle", "DECLARE"), ("target", $"/default/{function}")), MessagePackValue.FromMap()).ToArray());
        MessagePackValue body = function == "count_up" ? MessagePackValue.FromMap(("n", Nested(100))) : MessagePackValue.FromMap(("tag", Nested(100)));
        await client.SendAsync(MessagePackValue.FromArray(102, 9, MessagePackValue.FromMap(("channel_life_cycle", "MSG")), body).ToArray());

        bool error = false;
        while (true)
        {
            MessagePackValue frame = await RapFrames.ReadAsync(client, 9);
            if (frame[2].TryGetValue("status_code", out MessagePackValue status))
            {
                Assert.Equal(1002, status.AsInt64());
                error = true;
            }
            else if (frame[2].TryGetValue("channel_life_cycle", out MessagePackValue life) && life.AsString() == "DROP")
            {
                break;
            }
        }

        Assert.True(error);
        await client.SendAsync(RapFrames.HeadCall(11, "default", "sum_sync", MessagePackValue.FromMap(("a", 1), ("b", 2))));
        Assert.Equal(3, (await RapFrames.ReadAsync(client, 11))[3].AsInt64());
    }

    [Fact]
    public async Task Legacy_deep_argument_gets_504_and_the_connection_stays()
    {
        await using TestCluster cluster = await ConformanceCluster.StartAsync();
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        await client.SendAsync(RapFrames.LegacyCall(5, "default", "echo", Nested(100)));
        MessagePackValue answer = await RapFrames.ReadAsync(client, 5);
        Assert.Equal(504, answer[4]["status_code"].AsInt64());
        await client.SendAsync(RapFrames.LegacyCall(7, "default", "sum_sync", 1, 2));
        Assert.Equal(3, (await RapFrames.ReadAsync(client, 7))[5]["result"].AsInt64());
    }
}
