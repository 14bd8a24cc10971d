using System.Buffers;
using OrleansRpc.Protocol.Connections;
using OrleansRpc.Protocol.Crypto;
using OrleansRpc.Testing;
using static OrleansRpc.Protocol.Tests.Connections.ConnectionHarness;

namespace OrleansRpc.Protocol.Tests.Connections;

/// <summary>What a connection holds between bursts: no output buffer once drained, one output signal per read.</summary>
public class IdleConnectionTests
{
    [Fact]
    public void The_output_buffer_is_held_only_until_drained()
    {
        var harness = new ConnectionHarness(o => o.PingHeadClients = false);
        Assert.False(harness.Connection.HoldsOutputBuffer);

        harness.DeclareHead();
        Assert.False(harness.Connection.HoldsOutputBuffer);

        harness.Feed(HeadCall(1, "/default/sum", Map()));
        var call = Assert.Single(harness.Handler.Calls);
        Assert.False(harness.Connection.HoldsOutputBuffer); // nothing written yet

        Assert.True(harness.Connection.CompleteCall(call.Token, [0x03]));
        Assert.True(harness.Connection.HoldsOutputBuffer);
        var answer = harness.TakeSingle();
        Assert.Equal(1, answer[1].AsInt64());
        Assert.Equal(3, answer[3].AsInt64());
        Assert.False(harness.Connection.HoldsOutputBuffer);
        Assert.False(harness.Connection.HasPendingOutput);
    }

    [Fact]
    public void A_legacy_answer_releases_its_scratch_buffer_with_the_drain()
    {
        var harness = new ConnectionHarness();
        harness.Feed(Array(101, 1, "default", "sum", LegacyHeader(), Map(("call_id", -1), ("param", Array(1, 2)), ("default_param", Map()))));
        var call = Assert.Single(harness.Handler.Calls);
        Assert.True(harness.Connection.CompleteCall(call.Token, [0x03]));
        var frames = harness.TakeFrames();
        Assert.Equal(201, frames[^1][0].AsInt64());
        Assert.Equal(3, frames[^1][5]["result"].AsInt64());
        Assert.False(harness.Connection.HoldsOutputBuffer);
    }

    [Fact]
    public void Calls_answered_inside_one_read_signal_the_driver_once()
    {
        var handler = new AnsweringRecorder();
        var connection = new RapServerConnection(handler, new RapConnectionOptions { PingHeadClients = false }, TimeProvider.System, new RapPeer("10.0.0.7", 40000), new InMemoryNonceStore());
        connection.Start();
        connection.Receive(new ReadOnlySequence<byte>(Convert.FromHexString("94670381a6746172676574af2f5f6576656e742f4445434c41524582ab636c69656e745f696e666f83a4686f737492a93132372e302e302e31cd4652a776657273696f6ea3302e31aa757365725f6167656e74ad507974686f6e332d302e302e30a86d6574616461746180")));
        Assert.Equal(1, handler.Signals);
        connection.DrainOutput(new ArrayBufferWriter<byte>());

        byte[] batch = [.. HeadCall(1, "/default/sum", Map()).ToArray(), .. HeadCall(2, "/default/sum", Map()).ToArray(), .. HeadCall(3, "/default/sum", Map()).ToArray()];
        connection.Receive(new ReadOnlySequence<byte>(batch));
        Assert.Equal(2, handler.Signals);
        var output = new ArrayBufferWriter<byte>();
        connection.DrainOutput(output);
        Assert.Equal(3, FrameSplitter.Split(output.WrittenSpan).Count);

        // A read that queues nothing does not wake the driver.
        handler.Answer = false;
        connection.Receive(new ReadOnlySequence<byte>(HeadCall(4, "/default/sum", Map()).ToArray()));
        Assert.Equal(2, handler.Signals);
    }

    private sealed class AnsweringRecorder : IRapConnectionHandler
    {
        public int Signals { get; private set; }

        public bool Answer { get; set; } = true;

        public void OnCall(RapServerConnection connection, in RapCallRequest request)
        {
            if (Answer)
            {
                connection.CompleteCall(request.Token, [0x03]);
            }
        }

        public void OnGeneratorNext(RapServerConnection connection, in RapCallRequest request)
        {
        }

        public void OnChannelOpen(RapServerConnection connection, in RapChannelOpenRequest request)
        {
        }

        public void OnChannelMessage(RapServerConnection connection, in RapChannelMessage message)
        {
        }

        public void OnChannelClosed(RapServerConnection connection, long channelToken, RapChannelCloseReason reason)
        {
        }

        public void OnConnectionClosed(RapServerConnection connection, RapConnectionCloseReason reason)
        {
        }

        public void OnOutputAvailable(RapServerConnection connection) => Signals++;
    }
}
