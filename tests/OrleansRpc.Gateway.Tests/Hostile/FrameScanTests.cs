using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.Gateway.Connections;
using OrleansRpc.Gateway.Tests.EndToEnd;
using OrleansRpc.Gateway.Tests.Infrastructure;
using OrleansRpc.MessagePack;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.Hostile;

/// <summary>
/// Over loopback: a large frame trickled in small pieces is scanned once (the read loop's scanner resumes instead of
/// starting over at the frame's start on every read), and a frame that would decode to far more memory than its
/// bytes is refused by <see cref="RapGatewayOptions.MaxFrameElements"/> while other connections go on.
/// </summary>
public sealed class FrameScanTests
{
    [Fact]
    public async Task A_frame_trickled_in_small_pieces_is_scanned_once_and_answered()
    {
        await using TestCluster cluster = await ConformanceCluster.StartAsync();
        await using RawFrameClient client = await RapFrames.ConnectHeadAsync(cluster);

        // ~1.5 MB: beyond the 64 KiB large-frame threshold and Kestrel's 1 MiB read buffer, sent in 4 KiB pieces
        // with a pause after each, so the server sees hundreds of partial reads. A restarting scan would examine
        // ~hundreds of MB; a resuming one about the frame's length.
        MessagePackValue items = MessagePackValue.FromArray([.. Enumerable.Range(0, 150_000).Select(i => (MessagePackValue)("item" + i))]);
        byte[] frame = RapFrames.HeadCall(5, "default", "echo", MessagePackValue.FromMap(("value", items)));
        RapConnection connection = Assert.Single(cluster.Services.GetRequiredService<RapConnectionTracker>().Connections);
        long scannedBefore = connection.BytesScanned;
        for (int sent = 0; sent < frame.Length; sent += 4096)
        {
            await client.SendAsync(frame.AsMemory(sent, Math.Min(4096, frame.Length - sent)));
            if (sent % (64 * 4096) == 0)
            {
                await Task.Delay(1); // let the server read what is there (more partial reads)
            }
        }

        MessagePackValue answer = await RapFrames.ReadAsync(client, 5, TimeSpan.FromSeconds(60));
        Assert.Equal(150_000, answer[3].Count);
        long scanned = connection.BytesScanned - scannedBefore;
        Assert.InRange(scanned, frame.Length, frame.Length + 64);
    }

    [Fact]
    public async Task A_frame_over_MaxFrameElements_closes_its_connection_only()
    {
        await using TestCluster cluster = await ConformanceCluster.StartAsync(b => b.ConfigureGateway(o => o.MaxFrameElements = 10_000));
        await using RawFrameClient healthy = await RapFrames.ConnectHeadAsync(cluster);
        await using RawFrameClient bomb = await RapFrames.ConnectHeadAsync(cluster);

        // 100 KB of nils, declared in the array header: refused before the nils arrive or are decoded.
        byte[] header = RapFrames.HeadCall(7, "default", "echo", MessagePackValue.FromMap(("value", MessagePackValue.Nil)));
        byte[] prefix = header[..^1]; // everything up to the nil value
        await bomb.SendAsync(prefix);
        await bomb.SendAsync(new byte[] { 0xdc, 0x86, 0xa0 }); // array 16 of 100 000 elements
        IReadOnlyList<byte[]> last = await bomb.ReadUntilClosedAsync(TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(last, f => MessagePackValue.Parse(f)[1].AsInt64() == 7 && MessagePackValue.Parse(f)[0].AsInt64() == 101);

        // Within the limit: answered; the other connection never noticed.
        await healthy.SendAsync(RapFrames.HeadCall(9, "default", "echo", MessagePackValue.FromMap(("value", MessagePackValue.FromArray([.. Enumerable.Repeat(MessagePackValue.Nil, 9_000)])))));
        Assert.Equal(9_000, (await RapFrames.ReadAsync(healthy, 9))[3].Count);
    }
}
