using System.Buffers;
using System.Buffers.Binary;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.LoadGenerator;

/// <summary>
/// One request frame encoded once with the protocol layer's encoder; the correlation id is written as a uint32
/// (<c>0xce</c> + 4 bytes) so each send only copies the bytes and patches the id in place. (Python packs ids in
/// the smallest form; the server accepts any int form and echoes the value, so this changes nothing it sees.)
/// </summary>
public sealed class FrameTemplate
{
    private const int IdOffset = 2; // 0x94, fixint message type, then the id
    private readonly byte[] _bytes;

    private FrameTemplate(byte[] bytes)
    {
        if (bytes[IdOffset] != MessagePackCode.UInt32)
        {
            throw new InvalidOperationException("the template id is not a uint32");
        }

        _bytes = bytes;
    }

    public int Length => _bytes.Length;

    public static FrameTemplate Create(int messageType, RapHeader header, MessagePackValue body)
    {
        var bodyBytes = new ArrayBufferWriter<byte>();
        var bodyWriter = new MessagePackWriter(bodyBytes);
        body.Write(ref bodyWriter);
        bodyWriter.Flush();

        var frame = new ArrayBufferWriter<byte>();
        RapFrameEncoder.Write(frame, new RapFrame(messageType, uint.MaxValue, header, new ReadOnlySequence<byte>(bodyBytes.WrittenMemory)));
        return new FrameTemplate(frame.WrittenSpan.ToArray());
    }

    /// <summary>Appends the frame with <paramref name="id"/> to <paramref name="output"/> (no allocation).</summary>
    public void AppendTo(ArrayBufferWriter<byte> output, uint id)
    {
        Span<byte> span = output.GetSpan(_bytes.Length);
        _bytes.CopyTo(span);
        BinaryPrimitives.WriteUInt32BigEndian(span[(IdOffset + 1)..], id);
        output.Advance(_bytes.Length);
    }
}
