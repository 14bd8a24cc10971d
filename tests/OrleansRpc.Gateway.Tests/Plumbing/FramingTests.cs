using OrleansRpc.Gateway.Tests.Infrastructure;
using OrleansRpc.MessagePack;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.Plumbing;

/// <summary>Finding frames in the byte stream, over real loopback sockets.</summary>
public sealed class FramingTests
{
    [Fact]
    public async Task Frame_split_at_every_byte_boundary_is_answered()
    {
        var calls = new TestCalls();
        await using TestCluster cluster = await PlumbingCluster.StartAsync(calls);
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        byte[] frame = PlumbingCluster.Echo(7, "split me anywhere");
        for (int split = 1; split < frame.Length; split++)
        {
            await client.SendAsync(frame.AsMemory(0, split));
            await Task.Yield();
            await client.SendAsync(frame.AsMemory(split));
            Assert.Equal(frame, await client.ReadFrameAsync());
        }
    }

    [Fact]
    public async Task Frame_sent_one_byte_per_write_is_answered()
    {
        var calls = new TestCalls();
        await using TestCluster cluster = await PlumbingCluster.StartAsync(calls);
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        byte[] frame = PlumbingCluster.Echo(9, "byte by byte");
        foreach (byte b in frame)
        {
            await client.SendAsync(new[] { b });
        }

        Assert.Equal(frame, await client.ReadFrameAsync());
    }

    [Fact]
    public async Task Many_frames_in_one_write_are_all_answered_in_order()
    {
        var calls = new TestCalls();
        await using TestCluster cluster = await PlumbingCluster.StartAsync(calls);
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        byte[][] frames = Enumerable.Range(0, 500).Select(i => PlumbingCluster.Echo(i, $"frame {i}")).ToArray();
        await client.SendAsync(frames.SelectMany(f => f).ToArray());

        foreach (byte[] frame in frames)
        {
            Assert.Equal(frame, await client.ReadFrameAsync());
        }
    }

    [Fact]
    public async Task Frame_larger_than_the_transport_read_buffer_is_answered()
    {
        var calls = new TestCalls();
        await using TestCluster cluster = await PlumbingCluster.StartAsync(calls);
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        // 3 MiB: above Kestrel's 1 MiB socket read buffer, so the gateway must move it out of the pipe.
        string big = new('x', 3 * 1024 * 1024);
        byte[] bigFrame = PlumbingCluster.Echo(1, big);
        byte[] small = PlumbingCluster.Echo(2, "after");
        await client.SendAsync(bigFrame.Concat(small).ToArray());

        Assert.Equal(bigFrame, await client.ReadFrameAsync());
        Assert.Equal(small, await client.ReadFrameAsync());
    }

    [Fact]
    public async Task Declared_oversized_frame_closes_the_connection()
    {
        var calls = new TestCalls();
        await using TestCluster cluster = await PlumbingCluster.StartAsync(calls, b => b.ConfigureGateway(o => o.MaxFrameBytes = 1024));
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        await client.SendAsync(PlumbingCluster.Echo(1, "fits"));
        Assert.NotNull(await client.ReadFrameAsync());

        // A str header announcing 4096 bytes: refused before the bytes arrive.
        await client.SendAsync(new byte[] { MessagePackCode.Str16, 0x10, 0x00, (byte)'a' });
        Assert.Null(await client.ReadFrameAsync());
    }

    [Fact]
    public async Task Frame_growing_past_the_limit_closes_the_connection()
    {
        var calls = new TestCalls();
        await using TestCluster cluster = await PlumbingCluster.StartAsync(calls, b => b.ConfigureGateway(o => o.MaxFrameBytes = 1024));
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);

        // An array of 60000 small ints: each element is tiny, only the running total exceeds the limit.
        var bytes = new List<byte> { MessagePackCode.Array16, 0xea, 0x60 };
        bytes.AddRange(Enumerable.Repeat((byte)1, 2000));
        await client.SendAsync(bytes.ToArray());
        Assert.Null(await client.ReadFrameAsync());
    }
}
