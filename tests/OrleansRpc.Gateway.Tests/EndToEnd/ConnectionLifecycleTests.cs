using OrleansRpc.MessagePack;
using OrleansRpc.Testing;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.EndToEnd;

/// <summary>Detection, silence and bad input with the real protocol behind the gateway (RAP_PROTOCOL.md §5, §2.14, §3.14).</summary>
public sealed class ConnectionLifecycleTests
{
    private static byte[] HeadDeclare => ClientFrame("head", "unary_sync", 0);

    private static byte[] HeadCall => ClientFrame("head", "unary_sync", 7); // [101, 11, {"target": "/default/sum_sync"}, {"a": 1, "b": 2}]

    [Fact]
    public async Task Server_sends_nothing_before_the_clients_first_frame()
    {
        await using TestCluster cluster = await ConformanceCluster.StartAsync(b => b.ConfigureGateway(o => o.LegacySilenceThreshold = TimeSpan.FromSeconds(60)));
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        await client.SendAsync(HeadDeclare);

        // TCP keeps order: had the server spoken first, that frame would come before the DECLARE answer.
        MessagePackValue first = MessagePackValue.Parse(await client.ReadFrameAsync());
        Assert.Equal(103, first[0].AsInt64());
        Assert.Equal(3, first[1].AsInt64());
        Assert.True(first[3].TryGetValue("conn_id", out _));
    }

    [Fact]
    public async Task Silent_client_is_taken_for_0538_and_pinged()
    {
        await using TestCluster cluster = await ConformanceCluster.StartAsync(); // silence threshold 1 s
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        MessagePackValue ping = MessagePackValue.Parse(await client.ReadFrameAsync());
        Assert.Equal(6, ping.Count);
        Assert.Equal(203, ping[0].AsInt64());
        Assert.Equal("ping", ping[3].AsString());
        Assert.Equal(200, ping[4]["status_code"].AsInt64());
    }

    [Fact]
    public async Task A_HEAD_client_that_declares_after_the_silence_ping_gets_a_HEAD_session()
    {
        // §5 step 3: a late DECLARE switches the connection to HEAD; a HEAD client ignores the stray 6-array ping.
        await using TestCluster cluster = await ConformanceCluster.StartAsync(); // silence threshold 1 s
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);
        MessagePackValue ping = MessagePackValue.Parse(await client.ReadFrameAsync());
        Assert.Equal(6, ping.Count);

        await client.SendAsync(HeadDeclare);
        MessagePackValue answer;
        do
        {
            answer = MessagePackValue.Parse(await client.ReadFrameAsync());
        }
        while (answer.Count == 6); // v0.5.3.8 pings sent before the DECLARE arrived

        Assert.Equal(4, answer.Count);
        Assert.Equal(103, answer[0].AsInt64());
        Assert.True(answer[3].TryGetValue("conn_id", out _));
        await client.SendAsync(HeadCall);
        Assert.Equal(3, await ReadAnswerAsync(client, 11));
    }

    [Fact]
    public async Task Undecodable_bytes_close_that_connection_only()
    {
        await using TestCluster cluster = await ConformanceCluster.StartAsync();
        await using RawFrameClient good = await RawFrameClient.ConnectAsync(cluster.EndPoint);
        await using RawFrameClient bad = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        await good.SendAsync(HeadDeclare);
        Assert.Equal(103, MessagePackValue.Parse(await good.ReadFrameAsync())[0].AsInt64());

        await bad.SendAsync(HeadDeclare);
        Assert.Equal(103, MessagePackValue.Parse(await bad.ReadFrameAsync())[0].AsInt64());
        await bad.SendAsync(new byte[] { 0xc1 });
        await AssertClosedAsync(bad);

        await good.SendAsync(HeadCall);
        Assert.Equal(3, await ReadAnswerAsync(good, 11));
    }

    [Fact]
    public async Task First_frame_of_neither_generation_closes_the_connection()
    {
        await using TestCluster cluster = await ConformanceCluster.StartAsync(b => b.ConfigureGateway(o => o.LegacySilenceThreshold = TimeSpan.FromSeconds(60)));
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        await client.SendAsync(new byte[] { 0x2a }); // the int 42
        await AssertClosedAsync(client);
    }

    [Fact]
    public async Task Frame_over_the_limit_closes_the_connection()
    {
        await using TestCluster cluster = await ConformanceCluster.StartAsync(b => b.ConfigureGateway(o => o.MaxFrameBytes = 4096));
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);
        await client.SendAsync(HeadDeclare);
        Assert.Equal(103, MessagePackValue.Parse(await client.ReadFrameAsync())[0].AsInt64());

        // [101, 13, {"target": "/default/echo"}, {"value": <8 KiB str>}]
        byte[] big = MessagePackValue.FromArray(101, 13, MessagePackValue.FromMap(("target", "/default/echo")),
            MessagePackValue.FromMap(("value", new string('x', 8192)))).ToArray();
        await client.SendAsync(big);
        await AssertClosedAsync(client);
    }

    [Fact]
    public async Task Calls_on_one_connection_are_answered_in_completion_order()
    {
        await using TestCluster cluster = await ConformanceCluster.StartAsync();
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);
        await client.SendAsync(HeadDeclare);
        await client.ReadFrameAsync();

        byte[] slow = MessagePackValue.FromArray(101, 5, MessagePackValue.FromMap(("target", "/default/sleep_ms")), MessagePackValue.FromMap(("ms", 1500))).ToArray();
        await client.SendAsync(slow.Concat(HeadCall).ToArray());

        Assert.Equal(3, await ReadAnswerAsync(client, 11));
        Assert.Equal(1500, await ReadAnswerAsync(client, 5));
    }

    private static async Task<long> ReadAnswerAsync(RawFrameClient client, long id)
    {
        while (true)
        {
            MessagePackValue frame = MessagePackValue.Parse(await client.ReadFrameAsync());
            if (frame[0].AsInt64() == 203)
            {
                continue; // a server ping
            }

            if (frame[0].AsInt64() == 101)
            {
                Assert.Equal(id, frame[1].AsInt64());
                return frame[3].AsInt64();
            }
        }
    }

    private static async Task AssertClosedAsync(RawFrameClient client)
    {
        while (await client.ReadFrameAsync() is { } frame)
        {
            // only events (pings, a close notice) may precede the end of the stream
            Assert.Equal(203, MessagePackValue.Parse(frame)[0].AsInt64());
        }
    }

    private static byte[] ClientFrame(string version, string scenario, int index) =>
        TranscriptReader.Read(TestData.Path("transcripts", version, scenario + ".jsonl")).Where(r => !r.IsNote).ElementAt(index).Bytes;
}
