using System.Buffers;
using BenchmarkDotNet.Attributes;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Connections;
using OrleansRpc.Protocol.Crypto;

namespace OrleansRpc.Benchmarks.Protocol;

/// <summary>
/// What one connection's state machine costs before it does any work: created, started, HEAD DECLARE answered and
/// drained (the state an idle connection stays in), and the same after one call. Allocated bytes per connection are
/// an upper bound of what an idle connection keeps (everything allocated here stays referenced by it except the
/// decoding temporaries); pooled buffers that are returned after the drain are not counted once the pool is warm.
/// </summary>
[MemoryDiagnoser]
public class IdleConnectionBenchmarks
{
    private static readonly byte[] s_declare = Convert.FromHexString("94670381a6746172676574af2f5f6576656e742f4445434c41524582ab636c69656e745f696e666f83a4686f737492a93132372e302e302e31cd4652a776657273696f6ea3302e31aa757365725f6167656e74ad507974686f6e332d302e302e30a86d6574616461746180");
    private static readonly byte[] s_headCall = Convert.FromHexString("94650b81a6746172676574ac2f64656661756c742f73756d82a16101a16202");

    private readonly RapConnectionOptions _options = new();
    private readonly InMemoryNonceStore _nonces = new();
    private readonly IRapConnectionHandler _handler = new AnsweringHandler();
    private PooledBufferWriter _output = null!;

    [GlobalSetup]
    public void Setup() => _output = new PooledBufferWriter(64 * 1024);

    [GlobalCleanup]
    public void Cleanup() => _output.Dispose();

    [Benchmark]
    public RapServerConnection DeclaredIdleConnection() => Open(withCall: false);

    [Benchmark]
    public RapServerConnection ConnectionAfterOneCall() => Open(withCall: true);

    private RapServerConnection Open(bool withCall)
    {
        var connection = new RapServerConnection(_handler, _options, TimeProvider.System, new RapPeer("127.0.0.1", 50000), _nonces);
        connection.Start();
        connection.Receive(new ReadOnlySequence<byte>(s_declare));
        if (withCall)
        {
            connection.Receive(new ReadOnlySequence<byte>(s_headCall));
        }

        _output.Reset();
        connection.DrainOutput(_output);
        return connection;
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
