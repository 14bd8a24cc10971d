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
