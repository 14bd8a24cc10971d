using Microsoft.Extensions.Hosting;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Hosting;

/// <summary>Starts the silo life cycle with the host and stops it (deactivating every grain) on shutdown.</summary>
internal sealed class SiloHostedService(
    SiloLifecycleSubject lifecycle,
    IEnumerable<ILifecycleParticipant<ISiloLifecycle>> participants) : IHostedService
{
    private int _participated;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _participated, 1) == 0)
        {
            foreach (var participant in participants)
            {
                participant.Participate(lifecycle);
            }
        }

        return lifecycle.OnStart(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => lifecycle.OnStop(cancellationToken);
}
