using OrleansRpc.MessagePack;
using OrleansRpc.Server;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.EndToEnd;

/// <summary>A HEAD client's DECLARE <c>metadata</c> reaches <see cref="RapCallContext.Metadata"/> of its calls and generators (§2.7 b).</summary>
public sealed class DeclareMetadataTests
{
    private static Task<TestCluster> StartAsync() =>
        TestCluster.StartAsync(b => b
            .ConfigureGateway(o => o.LegacySilenceThreshold = TimeSpan.FromSeconds(60))
            .AddFunctions(f => f
                .AddFunction((string key, RapCallContext context) =>
                    context.Metadata.TryGetValue(key, out MessagePackValue value) ? value.AsString() : "<none>", "metadata_value")
                .AddFunction(MetadataItems, "metadata_items")));

    private static async IAsyncEnumerable<string> MetadataItems()
    {
        await Task.Yield();
        foreach ((string key, MessagePackValue value) in RapCallContext.Current!.Metadata.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            yield return key + "=" + value.AsString();
        }
    }

    private static byte[] Declare(MessagePackValue metadata) =>
        MessagePackValue.FromArray(103, 3, MessagePackValue.FromMap(("target", "/_event/DECLARE")), MessagePackValue.FromMap(
            ("client_info", MessagePackValue.FromMap(("host", MessagePackValue.FromArray("127.0.0.1", 9000)), ("version", "0.1"), ("user_agent", "Python3-0.0.0"))),
            ("metadata", metadata))).ToArray();

    private static byte[] Call(long id, string key) =>
        MessagePackValue.FromArray(101, id, MessagePackValue.FromMap(("target", "/default/metadata_value")), MessagePackValue.FromMap(("key", key))).ToArray();

    [Fact]
    public async Task A_call_sees_the_connections_DECLARE_metadata()
    {
        await using TestCluster cluster = await StartAsync();
        await using RawFrameClient acme = await RawFrameClient.ConnectAsync(cluster.EndPoint);
        await using RawFrameClient other = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        await acme.SendAsync(Declare(MessagePackValue.FromMap(("tenant", "acme"))));
        Assert.Equal(103, (await ReadAsync(acme, 3))[0].AsInt64());
        await other.SendAsync(Declare(MessagePackValue.FromMap(("tenant", "globex"))));
        Assert.Equal(103, (await ReadAsync(other, 3))[0].AsInt64());

        await acme.SendAsync(Call(11, "tenant"));
        await other.SendAsync(Call(11, "tenant"));
        await acme.SendAsync(Call(13, "region"));

        // Two calls in flight on one connection are answered in completion order: match them by id.
        var answers = new Dictionary<long, string>();
        for (int i = 0; i < 2; i++)
        {
            MessagePackValue frame = await ReadAnyAsync(acme);
            answers.Add(frame[1].AsInt64(), frame[3].AsString());
        }

        Assert.Equal("acme", answers[11]);
        Assert.Equal("<none>", answers[13]);
        Assert.Equal("globex", (await ReadAsync(other, 11))[3].AsString()); // per connection, not per process
    }

    [Fact]
    public async Task A_generator_sees_the_connections_DECLARE_metadata()
    {
        await using TestCluster cluster = await StartAsync();
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);
        await client.SendAsync(Declare(MessagePackValue.FromMap(("tenant", "acme"), ("region", "eu"))));
        await ReadAsync(client, 3);

        await client.SendAsync(MessagePackValue.FromArray(102, 15,
            MessagePackValue.FromMap(("channel_life_cycle", "DECLARE"), ("target", "/default/metadata_items")), MessagePackValue.FromMap()).ToArray());
        Assert.Equal("DECLARE", (await ReadAsync(client, 15))[2]["channel_life_cycle"].AsString());
        await client.SendAsync(MessagePackValue.FromArray(102, 15,
            MessagePackValue.FromMap(("channel_life_cycle", "MSG")), MessagePackValue.FromMap()).ToArray());

        var items = new List<string>();
        while (true)
        {
            MessagePackValue frame = await ReadAsync(client, 15);
            string lifeCycle = frame[2]["channel_life_cycle"].AsString();
            if (lifeCycle == "DROP")
            {
                break;
            }

            Assert.Equal("MSG", lifeCycle);
            items.Add(frame[3].AsString());
        }

        Assert.Equal(["region=eu", "tenant=acme"], items);
    }

    /// <summary>The next frame that is not a server event (server pings skipped).</summary>
    private static async Task<MessagePackValue> ReadAnyAsync(RawFrameClient client)
    {
        while (true)
        {
            byte[] bytes = await client.ReadFrameAsync() ?? throw new InvalidOperationException("The server closed the connection.");
            MessagePackValue frame = MessagePackValue.Parse(bytes);
            if (frame[0].AsInt64() != 203)
            {
                return frame;
            }
        }
    }

    /// <summary>The next frame with <paramref name="id"/> (server pings skipped).</summary>
    private static async Task<MessagePackValue> ReadAsync(RawFrameClient client, long id)
    {
        while (true)
        {
            byte[] bytes = await client.ReadFrameAsync() ?? throw new InvalidOperationException("The server closed the connection.");
            MessagePackValue frame = MessagePackValue.Parse(bytes);
            if (frame[0].AsInt64() != 203)
            {
                Assert.Equal(id, frame[1].AsInt64());
                return frame;
            }
        }
    }
}
