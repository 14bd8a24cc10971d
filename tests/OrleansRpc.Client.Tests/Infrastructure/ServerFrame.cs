using System.Buffers;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Client.Tests.Infrastructure;

/// <summary>One frame a fake server received: its exact bytes and its decoded forms.</summary>
internal sealed class ServerFrame
{
    public ServerFrame(byte[] bytes, RapVersion version)
    {
        Bytes = bytes;
        Value = MessagePackValue.Parse(bytes);
        var status = RapFrameDecoder.TryDecode(new ReadOnlySequence<byte>(bytes), version, MessagePackReaderOptions.Default, false, out var frame);
        if (status != RapDecodeStatus.Ok)
        {
            throw new InvalidOperationException($"Client sent an undecodable frame: {status} {Convert.ToHexString(bytes)}");
        }

        Frame = frame;
        Body = MessagePackValue.Parse(frame.Body);
    }

    public byte[] Bytes { get; }

    public MessagePackValue Value { get; }

    public RapFrame Frame { get; }

    public MessagePackValue Body { get; }

    public int Type => Frame.MessageType;

    public long Id => Frame.Id;

    public string? Target => Frame.Header.Target;

    public string? LifeCycle => Frame.Header.ChannelLifeCycle;

    public override string ToString() => Value.ToString();
}
