using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Connections;
using OrleansRpc.Protocol.Errors;
using static OrleansRpc.Protocol.Tests.Connections.ConnectionHarness;

namespace OrleansRpc.Protocol.Tests.Connections;

/// <summary>Calls, generators and channels through the state machine, beyond what the recordings exercise.</summary>
public class CallFlowTests
{
    [Fact]
    public void Head_deadline_in_the_future_is_passed_on_and_a_past_one_answers_RpcRunTimeError()
    {
        var harness = new ConnectionHarness(o => o.PingHeadClients = false);
        harness.DeclareHead();
        var now = harness.Time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        harness.Feed(Array(101, 41, Map(("target", "/default/slow"), ("X-rap-deadline", now + 5)), Map()));
        var call = Assert.Single(harness.Handler.Calls);
        Assert.Equal(harness.Time.GetUtcNow().AddSeconds(5), call.Deadline!.Value, TimeSpan.FromMilliseconds(1));
        harness.Feed(Array(101, 43, Map(("target", "/default/slow"), ("X-rap-deadline", now - 0.5)), Map()));
        Assert.Single(harness.Handler.Calls);
        // The H-13 shape: 301 ["RpcRunTimeError", "Call slow timeout"].
        Assert.Equal("94652b81ab7374617475735f636f6465cd012d92af52706352756e54696d654572726f72b143616c6c20736c6f772074696d656f7574",
            Convert.ToHexStringLower(harness.TakeSingle().ToArray()));
    }

    [Fact]
    public void Legacy_generator_steps_share_a_call_id_and_end_with_301()
    {
        var harness = new ConnectionHarness();
        harness.Feed(LegacyCall(1, "gen", LegacyHeader(("session_id", "s1")), -1, 2));
        harness.TakeFrames();
        var first = Assert.Single(harness.Handler.Calls);
        Assert.True(harness.Connection.StartGenerator(first.Token, out var id));
        Assert.NotEqual(0, id);
        Assert.NotEqual(-1, id);
        harness.Connection.CompleteCall(first.Token, (MessagePackValue)0);
        var item = harness.TakeSingle();
        Assert.Equal(200, item[4]["status_code"].AsInt64());
        Assert.Equal("s1", item[4]["session_id"].AsString());
        Assert.Equal(id, item[5]["call_id"].AsInt64());
        Assert.Equal(0, item[5]["result"].AsInt64());

        harness.Feed(LegacyCall(2, "gen", LegacyHeader(("session_id", "s1")), id, 2));
        var step = Assert.Single(harness.Handler.GeneratorSteps);
        Assert.Equal(id, step.GeneratorId);
        harness.Connection.CompleteGeneratorEnd(step.Token);
        var end = harness.TakeSingle();
        Assert.Equal(2, end[1].AsInt64());
        Assert.Equal(301, end[4]["status_code"].AsInt64());
        Assert.Equal(Map(("call_id", id)), end[5]);

        // The generator is gone: the same call_id now starts a new call (§3.9).
        harness.Feed(LegacyCall(3, "gen", LegacyHeader(), id, 2));
        Assert.Equal(2, harness.Handler.Calls.Count);
        Assert.Single(harness.Handler.GeneratorSteps);
    }

    [Fact]
    public void Legacy_generator_for_a_foreign_user_agent_is_refused_like_rap()
    {
        var harness = new ConnectionHarness();
        harness.Feed(Array(101, 5, "default", "gen", Map(("version", "0.1"), ("user_agent", "Other"), ("request_id", "r1")),
            Map(("call_id", -1), ("param", Array()), ("default_param", Map()))));
        harness.TakeFrames();
        Assert.False(harness.Connection.StartGenerator(harness.Handler.Calls[0].Token, out _));
        var frame = harness.TakeSingle();
        Assert.Equal("Python3-0.5.3", frame[4]["user_agent"].AsString());
        Assert.Equal(Map(("call_id", -1), ("exc_info", "Other not support generator")), frame[5]); // O-35
    }

    [Fact]
    public void Legacy_exception_answer_carries_exc_only_for_the_rap_user_agent()
    {
        var harness = new ConnectionHarness();
        harness.Feed(LegacyCall(1, "error_func", LegacyHeader()));
        harness.Feed(Array(101, 2, "default", "error_func", Map(("user_agent", "Other")), Map(("call_id", -1), ("param", Array()), ("default_param", Map()))));
        harness.TakeFrames();
        harness.Connection.FailCall(harness.Handler.Calls[0].Token, new DivideByZeroException("division by zero"));
        harness.Connection.FailCall(harness.Handler.Calls[1].Token, new DivideByZeroException("division by zero"));
        var frames = harness.TakeFrames();
        Assert.Equal(200, frames[0][4]["status_code"].AsInt64());
        Assert.Equal(Map(("call_id", -1), ("exc_info", "division by zero"), ("exc", "ZeroDivisionError")), frames[0][5]); // O-6
        Assert.False(frames[1][5].TryGetValue("exc", out _));
    }

    [Fact]
    public void Head_generator_error_is_a_301_on_the_channel_then_DROP()
    {
        var harness = new ConnectionHarness(o => o.PingHeadClients = false);
        harness.DeclareHead();
        harness.Feed(Array(102, 45, Map(("channel_life_cycle", "DECLARE"), ("target", "/default/gen")), Map()));
        var open = Assert.Single(harness.Handler.ChannelOpens);
        Assert.Equal(45, open.Id);
        harness.Connection.AcceptChannel(open.Token);
        Assert.Equal("94662d81b26368616e6e656c5f6c6966655f6379636c65a74445434c415245c0", Convert.ToHexStringLower(harness.TakeSingle().ToArray())); // H-19
        harness.Feed(Array(102, 45, Map(("channel_life_cycle", "MSG")), Map(("n", 3))));
        Assert.Equal("81a16e03", Convert.ToHexStringLower(Assert.Single(harness.Handler.ChannelMessages).Body));
        harness.Connection.SendChannelMessage(open.Token, (MessagePackValue)0);
        harness.Connection.FailChannel(open.Token, "ValueError", "boom");
        var frames = harness.TakeFrames();
        Assert.Equal("94662d81b26368616e6e656c5f6c6966655f6379636c65a34d534700", Convert.ToHexStringLower(frames[0].ToArray())); // H-21
        Assert.Equal(301, frames[1][2]["status_code"].AsInt64());
        Assert.Equal("ValueError", frames[1][3][0].AsString());
        Assert.Equal("94662d81b26368616e6e656c5f6c6966655f6379636c65a444524f50c0", Convert.ToHexStringLower(frames[2].ToArray())); // H-22
        Assert.False(harness.Connection.SendChannelMessage(open.Token, (MessagePackValue)1));
    }

    [Fact]
    public void Head_client_DROP_is_answered_and_reported()
    {
        var harness = new ConnectionHarness(o => o.PingHeadClients = false);
        harness.DeclareHead();
        harness.Feed(Array(102, 1, Map(("channel_life_cycle", "DECLARE"), ("target", "/default/echo_channel")), Map()));
        harness.Connection.AcceptChannel(harness.Handler.ChannelOpens[0].Token);
        harness.TakeFrames();
        harness.FeedHex("94660181b26368616e6e656c5f6c6966655f6379636c65a444524f50c0"); // H-27
        Assert.Equal("94660181b26368616e6e656c5f6c6966655f6379636c65a444524f50c0", Convert.ToHexStringLower(harness.TakeSingle().ToArray())); // H-28
        Assert.Equal(RapChannelCloseReason.ClientDrop, Assert.Single(harness.Handler.ChannelCloses).Reason);
        Assert.Equal(0, harness.Connection.ChannelCount);
    }

    [Fact]
    public void Legacy_channel_frames_echo_the_channel_id_with_fresh_request_ids()
    {
        var harness = new ConnectionHarness();
        harness.Feed(Array(102, -1, "default", "echo_channel", LegacyHeader(("channel_life_cycle", "declare"), ("channel_id", "c9")), MessagePackValue.Nil));
        harness.TakeFrames();
        var token = harness.Handler.ChannelOpens[0].Token;
        harness.Connection.AcceptChannel(token);
        harness.Connection.SendChannelMessage(token, (MessagePackValue)"hi");
        harness.Connection.CloseChannel(token);
        var frames = harness.TakeFrames();
        Assert.Equal(["declare", "MSG", "drop"], frames.Select(f => f[4]["channel_life_cycle"].AsString()));
        Assert.All(frames, f =>
        {
            Assert.Equal(202, f[0].AsInt64());
            Assert.Equal(-1, f[1].AsInt64());
            Assert.Equal("echo_channel", f[3].AsString());
            Assert.Equal("c9", f[4]["channel_id"].AsString());
            Assert.Equal(200, f[4]["status_code"].AsInt64());
            Assert.NotEqual("r1", f[4]["request_id"].AsString());
        });
        Assert.Equal(3, frames.Select(f => f[4]["request_id"].AsString()).Distinct().Count());
    }

    private sealed class ThrowingHandler : IRapConnectionHandler
    {
        public void OnCall(RapServerConnection connection, in RapCallRequest request) => throw new InvalidOperationException("binder bug");

        public void OnGeneratorNext(RapServerConnection connection, in RapCallRequest request) => throw new InvalidOperationException();

        public void OnChannelOpen(RapServerConnection connection, in RapChannelOpenRequest request) => throw new InvalidOperationException();

        public void OnChannelMessage(RapServerConnection connection, in RapChannelMessage message) => throw new InvalidOperationException();

        public void OnChannelClosed(RapServerConnection connection, long channelToken, RapChannelCloseReason reason)
        {
        }

        public void OnConnectionClosed(RapServerConnection connection, RapConnectionCloseReason reason)
        {
        }

        public void OnOutputAvailable(RapServerConnection connection)
        {
        }
    }

    [Fact]
    public void A_handler_that_throws_gets_rap_s_run_time_error_answer()
    {
        var options = new RapConnectionOptions { PingHeadClients = false };
        var time = new Testing.ManualTimeProvider(Start);
        var connection = new RapServerConnection(new ThrowingHandler(), options, time, new RapPeer("127.0.0.1", 1));
        connection.Start();
        connection.Receive(new System.Buffers.ReadOnlySequence<byte>(HeadCall(11, "/default/x", Map()).ToArray()));
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        connection.DrainOutput(output);
        var frame = MessagePackValue.Parse(output.WrittenSpan);
        Assert.Equal(1005, frame[2]["status_code"].AsInt64());
        Assert.Equal("Rpc run time error", frame[3].AsString());
    }

    [Fact]
    public void Results_that_would_exceed_the_frame_limit_are_refused()
    {
        var harness = new ConnectionHarness(o =>
        {
            o.PingHeadClients = false;
            o.MaxFrameBytes = 128 * 1024;
        });
        harness.DeclareHead();
        harness.Feed(HeadCall(11, "/default/big", Map()));
        harness.Connection.CompleteCall(harness.Handler.Calls[0].Token, (MessagePackValue)new byte[100 * 1024]);
        var frame = harness.TakeSingle();
        Assert.Equal(500, frame[2]["status_code"].AsInt64());
        Assert.Equal(0, harness.Connection.InFlightCallCount);
    }

    [Fact]
    public void Too_many_calls_in_flight_get_TooManyRequest()
    {
        var harness = new ConnectionHarness(o =>
        {
            o.PingHeadClients = false;
            o.MaxInFlightCalls = 2;
        });
        harness.DeclareHead();
        harness.Feed(HeadCall(11, "/default/x", Map()));
        harness.Feed(HeadCall(13, "/default/x", Map()));
        harness.Feed(HeadCall(15, "/default/x", Map()));
        var frame = harness.TakeSingle();
        Assert.Equal(15, frame[1].AsInt64());
        Assert.Equal(RapStatusCodes.ToWire(RapErrorKind.TooManyRequest, RapVersion.Head), frame[2]["status_code"].AsInt64());
        Assert.Equal(2, harness.Connection.InFlightCallCount);
    }

    [Fact]
    public void Answers_are_accepted_once()
    {
        var harness = new ConnectionHarness(o => o.PingHeadClients = false);
        harness.DeclareHead();
        harness.Feed(HeadCall(11, "/default/x", Map()));
        var token = harness.Handler.Calls[0].Token;
        Assert.True(harness.Connection.CompleteCall(token, (MessagePackValue)1));
        Assert.False(harness.Connection.CompleteCall(token, (MessagePackValue)2));
        Assert.False(harness.Connection.FailCallWithException(token, "ValueError", "x"));
        Assert.Single(harness.TakeFrames());
        Assert.True(harness.Handler.OutputSignals >= 1);
    }
}
