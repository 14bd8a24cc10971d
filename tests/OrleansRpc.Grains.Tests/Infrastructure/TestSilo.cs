using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansRpc.Grains.Hosting;

namespace OrleansRpc.Grains.Tests.Infrastructure;

/// <summary>A started grain runtime over a fake clock, with a <see cref="Probe"/> the test grains report to.</summary>
public sealed class TestSilo : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly List<IHostedService> _hosted;
    private bool _stopped;

    private TestSilo(ServiceProvider services)
    {
        _services = services;
        _hosted = services.GetServices<IHostedService>().ToList();
    }

    public IServiceProvider Services => _services;

    public IGrainFactory GrainFactory => _services.GetRequiredService<IGrainFactory>();

    public IClusterClient Client => _services.GetRequiredService<IClusterClient>();

    public FakeTimeProvider Time => (FakeTimeProvider)_services.GetRequiredService<TimeProvider>();

    public Probe Probe => _services.GetRequiredService<Probe>();

    public static TestSilo Create(Action<ISiloBuilder>? configure = null, Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        collection.AddSingleton<TimeProvider>(new FakeTimeProvider());
        collection.AddSingleton<Probe>();
        services?.Invoke(collection);
        collection.AddGrains(builder =>
        {
            builder.AddGrainsFromAssembly(typeof(TestSilo).Assembly);
            configure?.Invoke(builder);
        });
        return new TestSilo(collection.BuildServiceProvider());
    }

    public static async Task<TestSilo> StartAsync(Action<ISiloBuilder>? configure = null, Action<IServiceCollection>? services = null)
    {
        var silo = Create(configure, services);
        await silo.StartHostedAsync();
        return silo;
    }

    public async Task StartHostedAsync()
    {
        foreach (var hosted in _hosted)
        {
            await hosted.StartAsync(CancellationToken.None);
        }
    }

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        for (var i = _hosted.Count - 1; i >= 0; i--)
        {
            await _hosted[i].StopAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _services.DisposeAsync();
    }
}
