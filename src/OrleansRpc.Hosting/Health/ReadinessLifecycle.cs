using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansRpc.Hosting;

/// <summary>
/// Drives <see cref="OrleansRpcReadiness"/> from the host's life cycle. Ready comes with
/// <see cref="IHostApplicationLifetime.ApplicationStarted"/> (every hosted service started). On stop,
/// <see cref="IHostApplicationLifetime.ApplicationStopping"/> turns readiness false before any hosted
/// service stops; then this service's <see cref="StoppingAsync"/> waits
/// <see cref="HealthEndpointOptions.ShutdownDelay"/>. It is registered after the gateway, and the host runs
/// <c>StoppingAsync</c> in reverse registration order, so the delay ends before the gateway's drain begins.
/// </summary>
internal sealed class ReadinessLifecycle : IHostedLifecycleService, IDisposable
{
    private readonly OrleansRpcReadiness _readiness;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly HealthEndpointOptions _health;
    private readonly MetricsOptions _metrics;
    private readonly ClusterOptions _cluster;
    private readonly HealthEndpoint _endpoint;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly List<CancellationTokenRegistration> _registrations = [];

    public ReadinessLifecycle(
        OrleansRpcReadiness readiness,
        IHostApplicationLifetime lifetime,
        IOptions<HealthEndpointOptions> health,
        IOptions<MetricsOptions> metrics,
        IOptions<ClusterOptions> cluster,
        HealthEndpoint endpoint,
        TimeProvider timeProvider,
        ILogger<ReadinessLifecycle> logger)
    {
        _readiness = readiness;
        _lifetime = lifetime;
        _health = health.Value;
        _metrics = metrics.Value;
        _cluster = cluster.Value;
        _endpoint = endpoint;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        _registrations.Add(_lifetime.ApplicationStarted.Register(OnStarted));
        _registrations.Add(_lifetime.ApplicationStopping.Register(OnStopping));
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        OnStopping();
        if (_health.ShutdownDelay > TimeSpan.Zero)
        {
            HostingLog.ShutdownDelay(_logger, _health.ShutdownDelay);
            try
            {
                await Task.Delay(_health.ShutdownDelay, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The host's shutdown timeout ran out: go on stopping.
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        _readiness.MarkStopped();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        foreach (CancellationTokenRegistration registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void OnStarted()
    {
        if (_health.Enabled && _endpoint.EndPoint is { } endPoint)
        {
            HostingLog.HealthListening(_logger, endPoint.ToString(), _health.LivePath, _health.ReadyPath, _metrics.Enabled ? _metrics.Path : "off");
        }

        if (_readiness.MarkReady())
        {
            HostingLog.Ready(_logger, _cluster.SiloName ?? Environment.MachineName, _cluster.ServiceId, _cluster.ClusterId);
        }
    }

    private void OnStopping()
    {
        if (_readiness.MarkDraining())
        {
            HostingLog.NotReady(_logger);
        }
    }
}
