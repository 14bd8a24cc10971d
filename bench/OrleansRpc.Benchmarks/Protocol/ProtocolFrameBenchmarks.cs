using System.Buffers;
using BenchmarkDotNet.Attributes;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Benchmarks.Protocol;

/// <summary>
/// Frame parsing and encoding of both generations on their hottest shape, a call: HEAD
/// <c>[101, 11, {"target": "/default/sum"}, {"a": 1, "b": 2}]</c> (H-7) and the v0.5.3.8 call of O-3 with its five-key
/// header. Decoding keeps the body raw; encoding writes straight into a pooled buffer. The <c>Cached</c> variants decode
/// with a per-connection <see cref="RapHeaderCache"/> as <c>RapServerConnection</c> does.
/// </summary>
[MemoryDiagnoser]
public class ProtocolFrameBenchmarks
{
    private static readonly byte[] s_headCall = Convert.FromHexString("94650b81a6746172676574ac2f64656661756c742f73756d82a16101a16202");
    private static readonly byte[] s_legacyCall = Convert.FromHexString("9665cd9f4ea764656661756c74a373756d84a4686f737492a93132372e302e302e31cd465ca776657273696f6ea3302e31aa757365725f6167656e74ad507974686f6e332d302e352e33aa726571756573745f6964d92431326435353631392d383539372d346562322d396632352d66663137393231393638366483a763616c6c5f6964ffa5706172616d9101ad64656661756c745f706172616d80");

    private ReadOnlySequence<byte> _head;
    private ReadOnlySequence<byte> _legacy;
    private RapFrame _headFrame;
    private RapFrame _legacyFrame;
    private PooledBufferWriter _output = null!;
    private RapHeaderCache _headCache = null!;
    private RapHeaderCache _legacyCache = null!;

    [GlobalSetup]
    public void Setup()
    {
        _head = new ReadOnlySequence<byte>(s_headCall);
        _legacy = new ReadOnlySequence<byte>(s_legacyCall);
        RapFrameDecoder.TryDecode(_head, RapVersion.Head, MessagePackReaderOptions.Default, true, out _headFrame);
        RapFrameDecoder.TryDecode(_legacy, RapVersion.V0538, MessagePackReaderOptions.Default, true, out _legacyFrame);
        _output = new PooledBufferWriter(512);
        _headCache = new RapHeaderCache();
        _legacyCache = new RapHeaderCache();
        RapFrameDecoder.TryDecode(_head, RapVersion.Head, MessagePackReaderOptions.Default, true, _headCache, out _);
        RapFrameDecoder.TryDecode(_legacy, RapVersion.V0538, MessagePackReaderOptions.Default, true, _legacyCache, out _);
    }

    [GlobalCleanup]
    public void Cleanup() => _output.Dispose();

    [Benchmark]
    public RapDecodeStatus DecodeHeadCall() => RapFrameDecoder.TryDecode(_head, RapVersion.Head, MessagePackReaderOptions.Default, true, out _);

    [Benchmark]
    public RapDecodeStatus DecodeHeadCallWithoutBodyCheck() => RapFrameDecoder.TryDecode(_head, RapVersion.Head, MessagePackReaderOptions.Default, false, out _);

    /// <summary>As a connection decodes: a header seen before is served from its <see cref="RapHeaderCache"/>.</summary>
    [Benchmark]
    public RapDecodeStatus DecodeHeadCallCached() => RapFrameDecoder.TryDecode(_head, RapVersion.Head, MessagePackReaderOptions.Default, true, _headCache, out _);

    [Benchmark]
    public RapDecodeStatus DecodeLegacyCallCached() => RapFrameDecoder.TryDecode(_legacy, RapVersion.V0538, MessagePackReaderOptions.Default, true, _legacyCache, out _);

    [Benchmark]
    public RapDecodeStatus DecodeLegacyCall() => RapFrameDecoder.TryDecode(_legacy, RapVersion.V0538, MessagePackReaderOptions.Default, true, out _);

    [Benchmark]
    public int EncodeHeadFrame()
    {
        _output.Reset();
        RapFrameEncoder.Write(_output, _headFrame);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int EncodeLegacyFrame()
    {
        _output.Reset();
        RapFrameEncoder.Write(_output, _legacyFrame);
        return _output.WrittenCount;
    }

    [Benchmark]
    public RapVersion? DetectVersion() => OrleansRpc.Protocol.Detection.RapVersionDetector.Detect(_legacy);
}
