using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansRpc.Gateway.Connections;

namespace OrleansRpc.Gateway;

/// <summary>
/// Start and stop of the gateway as a lifecycle hosted service: before-start hooks run before any hosted
/// service starts (so before Kestrel accepts); on stop, before any hosted service stops (so while Kestrel
/// still owns the sockets), every connection is drained; after-stop hooks run last.
/// </summary>
internal sealed class RapGatewayLifetime : IHostedLifecycleService
{
    private readonly RapGatewayOptions _options;
    private readonly RapConnectionTracker _tracker;
    private readonly RapGatewayEndpoint _endpoint;
    private readonly IServiceProvider _services;
    private readonly IEnumerable<IRapGatewayLifecycleParticipant> _participants;
    private readonly ILogger _logger;

    public RapGatewayLifetime(
        IOptions<RapGatewayOptions> options,
        RapConnectionTracker tracker,
        RapGatewayEndpoint endpoint,
        IServiceProvider services,
        IEnumerable<IRapGatewayLifecycleParticipant> participants,
        ILogger<RapGatewayLifetime> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _tracker = tracker;
        _endpoint = endpoint;
        _services = services;
        _participants = participants;
        _logger = logger;
    }

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        foreach (Func<IServiceProvider, CancellationToken, Task> callback in _options.OnBeforeStart)
        {
            await callback(_services, cancellationToken).ConfigureAwait(false);
        }

        foreach (IRapGatewayLifecycleParticipant participant in _participants)
        {
            await participant.OnBeforeStartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        GatewayLog.Listening(_logger, _endpoint.EndPoint?.ToString() ?? $"{_options.Host}:{_options.Port}", _endpoint.IsTls ? "tls" : "tcp");
        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        GatewayLog.Draining(_logger, _tracker.Count, _options.DrainTimeout);

        // Connections close themselves once idle or at DrainTimeout; the margin covers sending the last bytes.
        using var bound = new CancellationTokenSource(_options.DrainTimeout + TimeSpan.FromSeconds(2));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(bound.Token, cancellationToken);
        await _tracker.DrainAsync(linked.Token).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        foreach (Func<IServiceProvider, CancellationToken, Task> callback in _options.OnAfterStop)
        {
            await callback(_services, cancellationToken).ConfigureAwait(false);
        }

        foreach (IRapGatewayLifecycleParticipant participant in _participants)
        {
            await participant.OnAfterStopAsync(cancellationToken).ConfigureAwait(false);
        }

        GatewayLog.Stopped(_logger);
    }
}
