using System.Buffers;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Server;

namespace OrleansRpc.Benchmarks.Binding;

/// <summary>
/// <c>sum(a, b)</c> through the production path (<c>AddRapServer</c> on an in-process Orleans silo: a grain call on the
/// group's <c>[StatelessWorker]</c> <c>FunctionGroupGrain</c>), synchronous (inline once proven cheap) and
/// async-shaped (inline). Compare with <see cref="BindingBenchmarks"/> (the executor alone, no grain call). Target: ≤ 256 bytes
/// allocated per call on the server.
/// </summary>
[MemoryDiagnoser]
public class GrainDispatchBenchmarks
{
    private static readonly ReadOnlySequence<byte> s_headBody = new([0x82, 0xa1, (byte)'a', 0x01, 0xa1, (byte)'b', 0x02]);
    private static readonly ReadOnlySequence<byte> s_legacyParam = new([0x92, 0x01, 0x02]);
    private static readonly ReadOnlySequence<byte> s_legacyDefaults = new([0x80]);

    private readonly PooledBufferWriter _output = new(64);
    private IHost _host = null!;
    private IServiceProvider _services = null!;
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
        // A real Orleans silo in this process, as the host runs it (localhost clustering, no Orleans client gateway).
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddOrleans(silo => silo.UseRapLocalhostCluster());
        builder.Services.AddRapServer(o => o.FlowCallContext = FlowCallContext)
            .AddFunction((long a, long b) => a + b, "sum")
            .AddFunction((long a, long b) => new ValueTask<long>(a + b), "sum_vt");
        _host = builder.Build();
        _host.StartAsync().GetAwaiter().GetResult();
        _services = _host.Services;
        _dispatcher = _services.GetRequiredService<RapDispatcher>();
        _sum = _dispatcher.Registry.Find("default", "sum", RapFunctionKind.Normal)!;
        _sumValueTask = _dispatcher.Registry.Find("default", "sum_vt", RapFunctionKind.Normal)!;
        _headContext = new RapCallContext { Version = RapVersion.Head, ConnectionId = "1", IsLocalPeer = true };
        _legacyContext = new RapCallContext { Version = RapVersion.V0538, ConnectionId = "1", IsLocalPeer = true };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
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
