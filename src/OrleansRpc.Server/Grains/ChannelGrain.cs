using Orleans;
using Orleans.Concurrency;
using Orleans.Placement;

namespace OrleansRpc.Server;

/// <summary>
/// Hosts one channel (<see cref="IChannelGrain"/>): a keyed, reentrant activation, so deliveries, the outbox and the end
/// all reach the channel's state while its handler runs; placed on the caller's silo when it can be. Deactivates once
/// the channel has ended and its outbox was read to the end.
/// </summary>
[PreferLocalPlacement]
[Reentrant]
public sealed class ChannelGrain : Grain, IChannelGrain
{
    private readonly RapChannelHost _channels;

    public ChannelGrain(RapFunctionExecutor executor) => _channels = new RapChannelHost(executor);

    public Task OpenChannelAsync(Guid channel, string channelId, RapInvocation invocation)
        => _channels.OpenAsync(channel, channelId, invocation, session: null);

    public Task DeliverAsync(Guid channel, long sequence, byte[] message, CancellationToken cancellationToken)
        => _channels.DeliverAsync(channel, sequence, message, cancellationToken);

    public async IAsyncEnumerable<RapChannelEvent> ReadChannelAsync(Guid channel, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await foreach (RapChannelEvent item in _channels.ReadAsync(channel, cancellationToken).ConfigureAwait(true))
            {
                yield return item;
            }
        }
        finally
        {
            DeactivateOnIdle();
        }
    }

    public Task EndChannelAsync(Guid channel, RapChannelEndReason reason) => _channels.EndAsync(channel, reason);

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _channels.AbortAll(RapChannelEndReason.ServerShutdown);
        return Task.CompletedTask;
    }
}
