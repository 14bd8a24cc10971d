using System.Buffers;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Connections;
using OrleansRpc.Protocol.Crypto;
using OrleansRpc.Testing;

namespace OrleansRpc.Protocol.Tests.Connections;

/// <summary>Drives one <see cref="RapServerConnection"/> with hand-made frames and a manual clock.</summary>
internal sealed class ConnectionHarness
{
    public static readonly DateTimeOffset Start = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    public ConnectionHarness(Action<RapConnectionOptions>? configure = null, Connections.RecordingHandler? handler = null, INonceStore? nonces = null, ManualTimeProvider? time = null)
    {
        Options = new RapConnectionOptions();
        configure?.Invoke(Options);
        Time = time ?? new ManualTimeProvider(Start);
        Handler = handler ?? new RecordingHandler();
        Connection = new RapServerConnection(Handler, Options, Time, new RapPeer("10.0.0.7", 40000), nonces);
        Connection.Start();
    }

    public RapConnectionOptions Options { get; }

    public ManualTimeProvider Time { get; }

    public RecordingHandler Handler { get; }

    public RapServerConnection Connection { get; }

    public static byte[] Encode(MessagePackValue value) => value.ToArray();

    public void Feed(params byte[][] frames)
    {
        foreach (var frame in frames)
        {
            var sequence = new ReadOnlySequence<byte>(frame);
            Connection.Receive(sequence);
        }
    }

    public void FeedHex(string hex) => Feed(Convert.FromHexString(hex));

    public void Feed(MessagePackValue frame) => Feed(frame.ToArray());

    /// <summary>HEAD: the DECLARE of H-1, answered; output cleared.</summary>
    public void DeclareHead()
    {
        FeedHex("94670381a6746172676574af2f5f6576656e742f4445434c41524582ab636c69656e745f696e666f83a4686f737492a93132372e302e302e31cd4652a776657273696f6ea3302e31aa757365725f6167656e74ad507974686f6e332d302e302e30a86d6574616461746180");
        TakeFrames();
    }

    public List<MessagePackValue> TakeFrames()
    {
        var output = new ArrayBufferWriter<byte>();
        Connection.DrainOutput(output);
        return FrameSplitter.Split(output.WrittenSpan).Select(f => MessagePackValue.Parse(f)).ToList();
    }

    public MessagePackValue TakeSingle() => Assert.Single(TakeFrames());

    public void Advance(TimeSpan by)
    {
        Time.Advance(by);
        if (Connection.NextTimerDue is { } due && due <= Time.GetUtcNow())
        {
            Connection.OnTimer();
        }
    }

    public static MessagePackValue Map(params (string Key, MessagePackValue Value)[] entries) =>
        MessagePackValue.FromMap(entries.Select(e => new KeyValuePair<MessagePackValue, MessagePackValue>(e.Key, e.Value)).ToList());

    public static MessagePackValue Array(params MessagePackValue[] items) => MessagePackValue.FromArray(items);

    public static MessagePackValue HeadCall(long id, string target, MessagePackValue body) =>
        Array(101, id, Map(("target", target)), body);

    public static MessagePackValue LegacyHeader(params (string Key, MessagePackValue Value)[] extra) =>
        Map([("host", Array("127.0.0.1", 9000)), ("version", "0.1"), ("user_agent", "Python3-0.5.3"), ("request_id", "r1"), .. extra]);

    public static MessagePackValue LegacyCall(long id, string name, MessagePackValue header, long callId = -1, params MessagePackValue[] positional) =>
        Array(101, id, "default", name, header, Map(("call_id", callId), ("param", Array(positional)), ("default_param", Map())));
}
