using System.Buffers;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Server;

namespace OrleansRpc.Benchmarks.Binding;

/// <summary>
/// Bind + invoke + encode of <c>sum(a, b)</c> from a HEAD body <c>{"a": 1, "b": 2}</c> and from a 0.5.3.8
/// <c>param</c> <c>[1, 2]</c>, through the executor a grain runs them with (run timeout, call context, adaptive
/// inlining of a synchronous function) and for an async-shaped function that completes synchronously: the work inside
/// the grain turn, without the grain call (see <see cref="GrainDispatchBenchmarks"/> for that). Target:
/// ≤ 256 bytes allocated per call on the server.
/// </summary>
[MemoryDiagnoser]
public class BindingBenchmarks
{
    private static readonly ReadOnlySequence<byte> s_headBody = new([0x82, 0xa1, (byte)'a', 0x01, 0xa1, (byte)'b', 0x02]);
    private static readonly ReadOnlySequence<byte> s_legacyParam = new([0x92, 0x01, 0x02]);
    private static readonly ReadOnlySequence<byte> s_legacyDefaults = new([0x80]);

    private readonly PooledBufferWriter _output = new(64);
    private RapFunctionExecutor _executor = null!;
    private RapFunctionDescriptor _sum = null!;
    private RapFunctionDescriptor _sumValueTask = null!;
    private RapCallContext _headContext = null!;
    private RapCallContext _legacyContext = null!;

    /// <summary>With false, <see cref="RapCallContext.Current"/> is not set (its AsyncLocal costs 72 B per call).</summary>
    [Params(true, false)]
    public bool FlowCallContext { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var registry = new RapFunctionRegistry();
        _sum = registry.Register(Sum, "sum");
        _sumValueTask = registry.Register(SumValueTask, "sum_vt");
        var options = Options.Create(new RapServerOptions { FlowCallContext = FlowCallContext });
        _executor = new RapFunctionExecutor(registry, options);
        _headContext = new RapCallContext { Version = RapVersion.Head, ConnectionId = "1", IsLocalPeer = true };
        _legacyContext = new RapCallContext { Version = RapVersion.V0538, ConnectionId = "1", IsLocalPeer = true };
    }

    [GlobalCleanup]
    public void Cleanup() => _output.Dispose();

    // The benchmark methods pool their own state machines so that only the server's allocations are counted.
    [Benchmark(Baseline = true)]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RapCallResult> Head_sum_sync()
    {
        _output.Reset();
        return await _executor.ExecuteAsync(_sum, _headContext, RapArguments.Head(s_headBody), _output, CancellationToken.None);
    }

    [Benchmark]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RapCallResult> Legacy_sum_sync()
    {
        _output.Reset();
        return await _executor.ExecuteAsync(_sum, _legacyContext, RapArguments.Legacy(s_legacyParam, s_legacyDefaults), _output, CancellationToken.None);
    }

    [Benchmark]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RapCallResult> Head_sum_valuetask()
    {
        _output.Reset();
        return await _executor.ExecuteAsync(_sumValueTask, _headContext, RapArguments.Head(s_headBody), _output, CancellationToken.None);
    }

    [Benchmark]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RapCallResult> Legacy_sum_valuetask()
    {
        _output.Reset();
        return await _executor.ExecuteAsync(_sumValueTask, _legacyContext, RapArguments.Legacy(s_legacyParam, s_legacyDefaults), _output, CancellationToken.None);
    }

    private static int Sum(int a, int b) => a + b;

    private static ValueTask<int> SumValueTask(int a, int b) => new(a + b);
}
