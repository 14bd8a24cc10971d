using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansRpc.Grains;
using OrleansRpc.Grains.Hosting;

namespace OrleansRpc.Benchmarks.Grains;

/// <summary>One in-process grain call: a stateless worker (the rap function-group path) and a keyed grain (a session).</summary>
[MemoryDiagnoser]
public class GrainCallBenchmarks
{
    private static readonly GrainMethod s_echo = GrainMethod.Create<IBenchWorkerGrain>(nameof(IBenchWorkerGrain.Echo));
    private static readonly GrainMethod s_sessionEcho = GrainMethod.Create<IBenchSessionGrain>(nameof(IBenchSessionGrain.Echo));
    private static readonly GrainMethod s_echoYield = GrainMethod.Create<IBenchWorkerGrain>(nameof(IBenchWorkerGrain.EchoYield));
    private static readonly GrainCallOptions s_inline = new() { AllowInlineExecution = true };

    private readonly CancellationTokenSource _connection = new();
    private readonly ManualResetEventSlim _done = new();
    private GrainCallOptions _rap;
    private Action _signal = null!;

    private ServiceProvider _services = null!;
    private IBenchWorkerGrain _worker = null!;
    private GrainReference _workerReference = null!;
    private IBenchSessionGrain _session = null!;
    private GrainReference _sessionReference = null!;

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection()
            .AddGrains(b => b.AddGrain<BenchWorkerGrain>().AddGrain<BenchSessionGrain>())
            .BuildServiceProvider();
        foreach (var hosted in _services.GetServices<IHostedService>())
        {
            hosted.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        var factory = _services.GetRequiredService<IGrainFactory>();
        _worker = factory.GetGrain<IBenchWorkerGrain>("group");
        _workerReference = _worker.AsGrainReference();
        _session = factory.GetGrain<IBenchSessionGrain>("session");
        _sessionReference = _session.AsGrainReference();
        _worker.Echo(1).AsTask().GetAwaiter().GetResult();
        // What the rap dispatcher passes: inline start, the run timeout, the connection's token.
        _rap = new GrainCallOptions { AllowInlineExecution = true, ResponseTimeout = TimeSpan.FromSeconds(30), CancellationToken = _connection.Token };
        _signal = _done.Set;
        _session.Echo(1).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var hosted in _services.GetServices<IHostedService>().Reverse())
        {
            hosted.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        _services.Dispose();
        _connection.Dispose();
        _done.Dispose();
    }

    /// <summary>The gateway's path: the low-level invoke API with a cached method and a static lambda.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask<int> StatelessWorkerGrainCall_LowLevel() =>
        _workerReference.InvokeAsync<IBenchWorkerGrain, int, int>(s_echo, 1, static (grain, value, _) => grain.Echo(value));

    /// <summary>The same call, letting the idle worker run the turn on the calling thread.</summary>
    [Benchmark]
    public ValueTask<int> StatelessWorkerGrainCall_LowLevelInline() =>
        _workerReference.InvokeAsync<IBenchWorkerGrain, int, int>(s_echo, 1, static (grain, value, _) => grain.Echo(value), s_inline);

    /// <summary>The rap unary path (RapDispatcher.InvokeThroughGrainAsync): inline, response timeout, cancellable token; the body completes synchronously.</summary>
    [Benchmark]
    public ValueTask<int> StatelessWorkerGrainCall_RapUnary_Sync() =>
        _workerReference.InvokeAsync<IBenchWorkerGrain, int, int>(s_echo, 1, static (grain, value, _) => grain.Echo(value), _rap);

    /// <summary>The same, with a body that completes on the thread pool; waited for without allocating.</summary>
    [Benchmark]
    public int StatelessWorkerGrainCall_RapUnary_Async()
    {
        var pending = _workerReference.InvokeAsync<IBenchWorkerGrain, int, int>(s_echoYield, 1, static (grain, value, _) => grain.EchoYield(value), _rap);
        if (!pending.IsCompleted)
        {
            _done.Reset();
            pending.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_signal);
            _done.Wait();
        }

        return pending.GetAwaiter().GetResult();
    }

    [Benchmark]
    public ValueTask<int> StatelessWorkerGrainCall_Proxy() => _worker.Echo(1);

    [Benchmark]
    public ValueTask<int> KeyedGrainCall_LowLevelInline() =>
        _sessionReference.InvokeAsync<IBenchSessionGrain, int, int>(s_sessionEcho, 1, static (grain, value, _) => grain.Echo(value), s_inline);

    [Benchmark]
    public ValueTask<int> KeyedGrainCall_Proxy() => _session.Echo(1);
}
