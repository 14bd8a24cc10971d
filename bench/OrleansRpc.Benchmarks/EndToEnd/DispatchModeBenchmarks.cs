using System.Buffers;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Server;

namespace OrleansRpc.Benchmarks.EndToEnd;

/// <summary>
/// <c>sum(a, b)</c> from a HEAD body through the dispatcher as the production host wires it: with
/// <c>UseFunctionGroupGrains</c> (a <c>[StatelessWorker]</c> grain turn in the in-process silo per call) and, for
/// comparison, with direct execution. Everything after frame decoding and before frame encoding; the allocations
/// are the server's (the benchmark methods pool their own state machines). Target: ≤ 256 B per call in total.
/// </summary>
[MemoryDiagnoser]
public class DispatchModeBenchmarks
{
    private static readonly ReadOnlySequence<byte> s_headBody = new([0x82, 0xa1, (byte)'a', 0x01, 0xa1, (byte)'b', 0x02]);

    private const int AdaptiveProbation = 16;
    private readonly PooledBufferWriter _output = new(64);
    private ServiceProvider _services = null!;
    private RapDispatcher _dispatcher = null!;
    private RapFunctionDescriptor _sum = null!;
    private RapFunctionDescriptor _sumValueTask = null!;
    private RapCallContext _context = null!;

    /// <summary>True: the production path (function groups as grains); false: the dispatcher runs the invoker itself.</summary>
    [Params(true, false)]
    public bool Grains { get; set; }

    /// <summary>Where <c>sum</c> (synchronous) runs: Adaptive (inline once it proved cheap) or always on the thread pool.</summary>
    [Params(RapSynchronousExecution.Adaptive, RapSynchronousExecution.ThreadPool)]
    public RapSynchronousExecution Synchronous { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection().AddLogging();
        IRapServerBuilder server = services.AddRapServer(o => o.SynchronousExecution = Synchronous)
            .AddFunction(Sum, "sum")
            .AddFunction(SumValueTask, "sum_vt");
        _ = Grains ? server.UseFunctionGroupGrains() : server.UseDirectExecution();
        _services = services.BuildServiceProvider();
        foreach (IHostedService hosted in _services.GetServices<IHostedService>())
        {
            hosted.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        _dispatcher = _services.GetRequiredService<RapDispatcher>();
        _context = new RapCallContext { Version = RapVersion.Head, ConnectionId = "1", IsLocalPeer = true };
        _dispatcher.Resolve(_context, RapFrameKind.Call, "default", "sum", out RapFunctionDescriptor? sum);
        _dispatcher.Resolve(_context, RapFrameKind.Call, "default", "sum_vt", out RapFunctionDescriptor? sumValueTask);
        _sum = sum ?? throw new InvalidOperationException("sum is not registered");
        _sumValueTask = sumValueTask ?? throw new InvalidOperationException("sum_vt is not registered");
        for (int i = 0; i < 2 * AdaptiveProbation; i++)
        {
            // Activates the worker grain outside the measurement and lets Adaptive promote sum to inline.
            _ = Head_sum_sync().AsTask().GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (IHostedService hosted in _services.GetServices<IHostedService>().Reverse())
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
        return await _dispatcher.InvokeAsync(_sum, _context, RapArguments.Head(s_headBody), _output);
    }

    [Benchmark]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RapCallResult> Head_sum_valuetask()
    {
        _output.Reset();
        return await _dispatcher.InvokeAsync(_sumValueTask, _context, RapArguments.Head(s_headBody), _output);
    }

    private static long Sum(long a, long b) => a + b;

    private static ValueTask<long> SumValueTask(long a, long b) => new(a + b);
}
