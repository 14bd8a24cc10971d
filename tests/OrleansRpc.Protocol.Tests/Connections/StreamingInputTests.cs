using System.Buffers;
using OrleansRpc.Protocol.Tests.Transcripts;
using OrleansRpc.Testing;

namespace OrleansRpc.Protocol.Tests.Connections;

/// <summary>
/// Frames arrive in arbitrary pieces (§1.3): whatever the split, the state machine consumes only whole frames and
/// sees the same requests. Random input never makes it throw.
/// </summary>
public class StreamingInputTests
{
    [Theory]
    [InlineData("head", 1)]
    [InlineData("head", 7)]
    [InlineData("head", 1024)]
    [InlineData("0.5.3.8", 3)]
    [InlineData("0.5.3.8", 1024)]
    public void Client_stream_split_into_chunks_yields_the_same_requests(string version, int chunk)
    {
        var stream = TranscriptReader.Read(TranscriptScenarios.File(version, "concurrent_1000"))
            .Where(r => !r.IsNote && r.Connection == 0 && r.Direction == TranscriptDirection.ClientToServer)
            .SelectMany(r => r.Bytes).ToArray();
        var whole = new ConnectionHarness(o => o.PingHeadClients = false);
        whole.Feed(stream);
        var pieces = new ConnectionHarness(o => o.PingHeadClients = false);
        var pending = new List<byte>();
        for (var offset = 0; offset < stream.Length; offset += chunk)
        {
            pending.AddRange(stream.AsSpan(offset, Math.Min(chunk, stream.Length - offset)).ToArray());
            var buffer = new ReadOnlySequence<byte>(pending.ToArray());
            var consumed = pieces.Connection.Receive(buffer);
            pending.RemoveRange(0, (int)buffer.Slice(0, consumed).Length);
        }

        Assert.Empty(pending);
        Assert.False(pieces.Connection.IsClosed);
        Assert.True(whole.Handler.Calls.Count >= 1000);
        Assert.Equal(whole.Handler.Calls.Select(c => (c.Id, c.Name, Convert.ToHexString(c.Keywords), Convert.ToHexString(c.Positional))),
            pieces.Handler.Calls.Select(c => (c.Id, c.Name, Convert.ToHexString(c.Keywords), Convert.ToHexString(c.Positional))));
    }

    [Theory]
    [InlineData("head", "concurrent_1000", 5)]
    [InlineData("0.5.3.8", "concurrent_1000", 5)]
    [InlineData("0.5.3.8", "channel_echo", 3)]
    [InlineData("head", "echo_types", 2)]
    public void Multi_segment_input_decodes_like_contiguous_input(string version, string scenario, int segment)
    {
        var stream = TranscriptReader.Read(TranscriptScenarios.File(version, scenario))
            .Where(r => !r.IsNote && r.Connection == 0 && r.Direction == TranscriptDirection.ClientToServer)
            .SelectMany(r => r.Bytes).ToArray();
        var contiguous = new ConnectionHarness(o => o.PingHeadClients = false);
        contiguous.Feed(stream);
        var segmented = new ConnectionHarness(o => o.PingHeadClients = false);
        var sequence = Segments.Chunked(stream, segment);
        var consumed = segmented.Connection.Receive(sequence);
        Assert.Equal(stream.Length, sequence.Slice(0, consumed).Length);
        Assert.False(segmented.Connection.IsClosed);
        Assert.True(contiguous.Handler.Calls.Count + contiguous.Handler.ChannelOpens.Count > 0);
        Assert.Equal(contiguous.Handler.Calls.Select(c => (c.Id, c.Name, c.UserAgent, Convert.ToHexString(c.Keywords), Convert.ToHexString(c.Positional))),
            segmented.Handler.Calls.Select(c => (c.Id, c.Name, c.UserAgent, Convert.ToHexString(c.Keywords), Convert.ToHexString(c.Positional))));
        Assert.Equal(contiguous.Handler.ChannelMessages.Select(m => Convert.ToHexString(m.Body)), segmented.Handler.ChannelMessages.Select(m => Convert.ToHexString(m.Body)));
        Assert.Equal(contiguous.TakeFrames(), segmented.TakeFrames().Select(f => f), new FrameShapeComparer());
    }

    /// <summary>Equal frames apart from per-connection values: the fresh uuid request_id of v0.5.3.8 server frames, HEAD conn_id.</summary>
    private sealed class FrameShapeComparer : IEqualityComparer<OrleansRpc.MessagePack.MessagePackValue>
    {
        public bool Equals(OrleansRpc.MessagePack.MessagePackValue x, OrleansRpc.MessagePack.MessagePackValue y) =>
            MessagePackValueComparer.Compare(x, y, (path, a, b) => path is "/[4]/request_id" or "/[3]/conn_id" && a.Kind == b.Kind ? ValueComparison.Equal : ValueComparison.Default).Count == 0;

        public int GetHashCode(OrleansRpc.MessagePack.MessagePackValue obj) => 0;
    }

    [Fact]
    public void Random_input_never_throws_and_always_ends_in_a_defined_state()
    {
        var random = new Random(20261122);
        for (var round = 0; round < 500; round++)
        {
            var harness = new ConnectionHarness();
            if (round % 2 == 0)
            {
                harness.DeclareHead();
            }

            var bytes = new byte[random.Next(1, 64)];
            random.NextBytes(bytes);
            if (round % 3 == 0)
            {
                bytes[0] = (byte)(0x94 + random.Next(0, 3));
            }

            var buffer = new ReadOnlySequence<byte>(bytes);
            var consumed = harness.Connection.Receive(buffer);
            Assert.True(buffer.Slice(0, consumed).Length <= bytes.Length);
            var frames = harness.TakeFrames();
            if (harness.Connection.IsClosed)
            {
                Assert.NotNull(harness.Connection.CloseReason);
            }

            Assert.All(frames, f => Assert.True(f.AsArray().Count is 4 or 6));
        }
    }
}
