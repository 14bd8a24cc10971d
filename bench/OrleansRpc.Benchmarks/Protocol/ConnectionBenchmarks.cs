using System.Buffers;
using BenchmarkDotNet.Attributes;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Connections;

namespace OrleansRpc.Benchmarks.Protocol;

/// <summary>
/// One call through the connection state machine, request bytes in → answer bytes out, with an application that
/// answers synchronously with a pre-encoded result: the protocol's own per-call cost (decode, in-flight book-keeping,
/// answer encoding) for both generations, and 100 calls arriving in one read.
/// </summary>
[MemoryDiagnoser]
public class ConnectionBenchmarks
{
    private static readonly byte[] s_declare = Convert.FromHexString("94670381a6746172676574af2f5f6576656e742f4445434c41524582ab636c69656e745f696e666f83a4686f737492a93132372e302e302e31cd4652a776657273696f6ea3302e31aa757365725f6167656e74ad507974686f6e332d302e302e30a86d6574616461746180");
    private static readonly byte[] s_headCall = Convert.FromHexString("94650b81a6746172676574ac2f64656661756c742f73756d82a16101a16202");
    private static readonly byte[] s_legacyCall = Convert.FromHexString("9665cd9f4ea764656661756c74a373756d84a4686f737492a93132372e302e302e31cd465ca776657273696f6ea3302e31aa757365725f6167656e74ad507974686f6e332d302e352e33aa726571756573745f6964d92431326435353631392d383539372d346562322d396632352d66663137393231393638366483a763616c6c5f6964ffa5706172616d9101ad64656661756c745f706172616d80");

    private RapServerConnection _head = null!;
    private RapServerConnection _legacy = null!;
    private ReadOnlySequence<byte> _headCall;
    private ReadOnlySequence<byte> _legacyCall;
    private ReadOnlySequence<byte> _headBatch;
    private PooledBufferWriter _output = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = new RapConnectionOptions { PingHeadClients = false };
        _head = new RapServerConnection(new AnsweringHandler(), options, TimeProvider.System, new RapPeer("127.0.0.1", 50000));
        _head.Start();
        _head.Receive(new ReadOnlySequence<byte>(s_declare));
        _legacy = new RapServerConnection(new AnsweringHandler(), options, TimeProvider.System, new RapPeer("127.0.0.1", 50001));
        _legacy.Start();
        _headCall = new ReadOnlySequence<byte>(s_headCall);
        _legacyCall = new ReadOnlySequence<byte>(s_legacyCall);
        _headBatch = new ReadOnlySequence<byte>(Enumerable.Repeat(s_headCall, 100).SelectMany(b => b).ToArray());
        _output = new PooledBufferWriter(64 * 1024);
        _legacy.Receive(_legacyCall);
        Drain(_head);
        Drain(_legacy);
    }

    [GlobalCleanup]
    public void Cleanup() => _output.Dispose();

    [Benchmark]
    public int HeadCallRoundTrip()
    {
        _head.Receive(_headCall);
        return Drain(_head);
    }

    [Benchmark(OperationsPerInvoke = 100)]
    public int HeadCallsBatchedInOneRead()
    {
        _head.Receive(_headBatch);
        return Drain(_head);
    }

    [Benchmark]
    public int LegacyCallRoundTrip()
    {
        _legacy.Receive(_legacyCall);
        return Drain(_legacy);
    }

    private int Drain(RapServerConnection connection)
    {
        _output.Reset();
        return connection.DrainOutput(_output);
    }

    private sealed class AnsweringHandler : IRapConnectionHandler
    {
        private static readonly byte[] s_result = [0x03];

        public void OnCall(RapServerConnection connection, in RapCallRequest request) => connection.CompleteCall(request.Token, s_result);

        public void OnGeneratorNext(RapServerConnection connection, in RapCallRequest request) => connection.CompleteGeneratorEnd(request.Token);

        public void OnChannelOpen(RapServerConnection connection, in RapChannelOpenRequest request) => connection.AcceptChannel(request.Token);

        public void OnChannelMessage(RapServerConnection connection, in RapChannelMessage message)
        {
        }

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
}
