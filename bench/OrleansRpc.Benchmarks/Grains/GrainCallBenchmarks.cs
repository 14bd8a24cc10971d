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
    private static readonly GrainCallOptions s_inline = new() { AllowInlineExecution = true };

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
    }

    /// <summary>The gateway's path: the low-level invoke API with a cached method and a static lambda.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask<int> StatelessWorkerGrainCall_LowLevel() =>
        _workerReference.InvokeAsync<IBenchWorkerGrain, int, int>(s_echo, 1, static (grain, value, _) => grain.Echo(value));

    /// <summary>The same call, letting the idle worker run the turn on the calling thread.</summary>
    [Benchmark]
    public ValueTask<int> StatelessWorkerGrainCall_LowLevelInline() =>
        _workerReference.InvokeAsync<IBenchWorkerGrain, int, int>(s_echo, 1, static (grain, value, _) => grain.Echo(value), s_inline);

    [Benchmark]
    public ValueTask<int> StatelessWorkerGrainCall_Proxy() => _worker.Echo(1);

    [Benchmark]
    public ValueTask<int> KeyedGrainCall_LowLevelInline() =>
        _sessionReference.InvokeAsync<IBenchSessionGrain, int, int>(s_sessionEcho, 1, static (grain, value, _) => grain.Echo(value), s_inline);

    [Benchmark]
    public ValueTask<int> KeyedGrainCall_Proxy() => _session.Echo(1);
}
