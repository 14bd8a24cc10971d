using System.Buffers;
using BenchmarkDotNet.Attributes;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Benchmarks.Codec;

/// <summary>
/// The codec on rap's hottest shape, a HEAD call frame <c>[101, 3, {"target": "/default/sum"}, {"a": 1, "b": 2}]</c>:
/// encode into a pooled buffer, decode from a sequence with the allocation-free typed paths, and find frame ends in a
/// buffer of back-to-back frames (single segment and 1 KiB segments, as rap writes and reads).
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private const int FramesInBuffer = 100;

    private PooledBufferWriter _output = null!;
    private ReadOnlySequence<byte> _frame;
    private ReadOnlySequence<byte> _backToBack;
    private ReadOnlySequence<byte> _backToBackSegmented;

    [GlobalSetup]
    public void Setup()
    {
        _output = new PooledBufferWriter(256);
        byte[] frame = EncodeFrame(_output).ToArray();
        _frame = new ReadOnlySequence<byte>(frame);
        byte[] stream = Enumerable.Repeat(frame, FramesInBuffer).SelectMany(f => f).ToArray();
        _backToBack = new ReadOnlySequence<byte>(stream);
        _backToBackSegmented = BenchSegment.Chunk(stream, 1024);
    }

    [GlobalCleanup]
    public void Cleanup() => _output.Dispose();

    [Benchmark]
    public int EncodeHeadCall() => EncodeFrame(_output).Length;

    [Benchmark]
    public long DecodeHeadCall()
    {
        var reader = new MessagePackReader(_frame);
        long sum = 0;
        if (reader.ReadArrayHeader() != 4)
        {
            throw new InvalidDataException();
        }

        sum += reader.ReadInt32();
        sum += reader.ReadInt64();
        int headers = reader.ReadMapHeader();
        for (int i = 0; i < headers; i++)
        {
            if (reader.ReadStringEquals("target"u8) && reader.TryReadStringSpan(out ReadOnlySpan<byte> target))
            {
                sum += target.Length;
            }
            else
            {
                reader.Skip();
            }
        }

        int args = reader.ReadMapHeader();
        for (int i = 0; i < args; i++)
        {
            if (!reader.TryReadStringSpan(out ReadOnlySpan<byte> key))
            {
                throw new InvalidDataException();
            }

            sum += key[0] + reader.ReadInt64();
        }

        return sum;
    }

    [Benchmark]
    public MessagePackValue DecodeHeadCallToValue()
    {
        var reader = new MessagePackReader(_frame);
        return MessagePackValue.Read(ref reader);
    }

    [Benchmark(OperationsPerInvoke = FramesInBuffer)]
    public int TryReadNextBackToBack() => CountFrames(_backToBack);

    [Benchmark(OperationsPerInvoke = FramesInBuffer)]
    public int TryReadNextBackToBackSegmented() => CountFrames(_backToBackSegmented);

    private static int CountFrames(ReadOnlySequence<byte> buffer)
    {
        int count = 0;
        while (MessagePackFrameReader.TryReadNext(buffer, MessagePackReaderOptions.Default, out SequencePosition end) == MessagePackFrameStatus.Complete)
        {
            buffer = buffer.Slice(end);
            count++;
        }

        return count;
    }

    private static ReadOnlySpan<byte> EncodeFrame(PooledBufferWriter output)
    {
        output.Reset();
        var writer = new MessagePackWriter(output);
        writer.WriteArrayHeader(4);
        writer.Write(101);
        writer.Write(3);
        writer.WriteMapHeader(1);
        writer.WriteString("target"u8);
        writer.WriteString("/default/sum"u8);
        writer.WriteMapHeader(2);
        writer.WriteString("a"u8);
        writer.Write(1);
        writer.WriteString("b"u8);
        writer.Write(2);
        writer.Flush();
        return output.WrittenSpan;
    }
}
