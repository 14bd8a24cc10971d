using System.Buffers;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Server;

namespace OrleansRpc.Benchmarks.Binding;

/// <summary>
/// <c>sum(a, b)</c> through the production path (<c>AddRapServer</c>: a grain call on the group's
/// <c>FunctionGroupGrain</c>, run timeout = response timeout), synchronous (pool work item inside the turn) and
/// async-shaped (inline). Compare with <see cref="BindingBenchmarks"/> (direct execution). Target: ≤ 256 bytes
/// allocated per call on the server.
/// </summary>
[MemoryDiagnoser]
public class GrainDispatchBenchmarks
{
    private static readonly ReadOnlySequence<byte> s_headBody = new([0x82, 0xa1, (byte)'a', 0x01, 0xa1, (byte)'b', 0x02]);
    private static readonly ReadOnlySequence<byte> s_legacyParam = new([0x92, 0x01, 0x02]);
    private static readonly ReadOnlySequence<byte> s_legacyDefaults = new([0x80]);

    private readonly PooledBufferWriter _output = new(64);
    private ServiceProvider _services = null!;
    private RapDispatcher _dispatcher = null!;
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
        var services = new ServiceCollection();
        services.AddRapServer(o => o.FlowCallContext = FlowCallContext)
            .AddFunction((long a, long b) => a + b, "sum")
            .AddFunction((long a, long b) => new ValueTask<long>(a + b), "sum_vt");
        _services = services.BuildServiceProvider();
        foreach (var hosted in _services.GetServices<IHostedService>())
        {
            hosted.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        _dispatcher = _services.GetRequiredService<RapDispatcher>();
        _sum = _dispatcher.Registry.Find("default", "sum", RapFunctionKind.Normal)!;
        _sumValueTask = _dispatcher.Registry.Find("default", "sum_vt", RapFunctionKind.Normal)!;
        _headContext = new RapCallContext { Version = RapVersion.Head, ConnectionId = "1", IsLocalPeer = true };
        _legacyContext = new RapCallContext { Version = RapVersion.V0538, ConnectionId = "1", IsLocalPeer = true };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var hosted in _services.GetServices<IHostedService>().Reverse())
        {
            hosted.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        _services.Dispose();
        _output.Dispose();
    }

    [Benchmark(Baseline = true)]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RapCallResult> Head_sum_sync()
    {
        _output.Reset();
        return await _dispatcher.InvokeAsync(_sum, _headContext, RapArguments.Head(s_headBody), _output);
    }

    [Benchmark]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RapCallResult> Legacy_sum_sync()
    {
        _output.Reset();
        return await _dispatcher.InvokeAsync(_sum, _legacyContext, RapArguments.Legacy(s_legacyParam, s_legacyDefaults), _output);
    }

    [Benchmark]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RapCallResult> Head_sum_valuetask()
    {
        _output.Reset();
        return await _dispatcher.InvokeAsync(_sumValueTask, _headContext, RapArguments.Head(s_headBody), _output);
    }

    [Benchmark]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RapCallResult> Legacy_sum_valuetask()
    {
        _output.Reset();
        return await _dispatcher.InvokeAsync(_sumValueTask, _legacyContext, RapArguments.Legacy(s_legacyParam, s_legacyDefaults), _output);
    }
}
