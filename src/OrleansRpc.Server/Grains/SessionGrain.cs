using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Concurrency;

namespace OrleansRpc.Server;

/// <summary>
/// The activation behind <see cref="ISessionGrain"/>: owns the session's <see cref="RapSession"/> and runs the
/// functions, generators and channel handlers that take it. Reentrant (calls of one session interleave, as rap's do);
/// collected by Orleans after <see cref="RapServerOptions.SessionIdleTimeout"/> without calls, and its state with it.
/// </summary>
[Reentrant]
public sealed class SessionGrain : Grain, ISessionGrain
{
    private readonly RapFunctionExecutor _executor;
    private readonly RapChannelHost _channels;
    private readonly ILogger _logger;
    private readonly RapSession _session;

    public SessionGrain(RapFunctionExecutor executor, ILogger<SessionGrain> logger)
    {
        _executor = executor;
        _logger = logger;
        _channels = new RapChannelHost(executor);
        _session = new RapSession(this.GetPrimaryKeyString());
    }

    public ValueTask<RapReply> InvokeAsync(RapInvocation invocation, CancellationToken cancellationToken)
        => _executor.InvokeAsync(invocation, _session, cancellationToken);

    public Task EndAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task<int> GetItemCountAsync() => Task.FromResult(_session.Items.Count);

    public IAsyncEnumerable<RapGeneratorChunk> RunGeneratorAsync(RapInvocation invocation, CancellationToken cancellationToken)
        => _executor.RunGeneratorAsync(invocation, _session, cancellationToken);

    public Task OpenChannelAsync(Guid channel, string channelId, RapInvocation invocation)
        => _channels.OpenAsync(channel, channelId, invocation, _session);

    public Task DeliverAsync(Guid channel, long sequence, byte[] message, CancellationToken cancellationToken)
        => _channels.DeliverAsync(channel, sequence, message, cancellationToken);

    public IAsyncEnumerable<RapChannelEvent> ReadChannelAsync(Guid channel, CancellationToken cancellationToken)
        => _channels.ReadAsync(channel, cancellationToken);

    public Task EndChannelAsync(Guid channel, RapChannelEndReason reason) => _channels.EndAsync(channel, reason);

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _channels.AbortAll(RapChannelEndReason.ServerShutdown);
        RapServerLog.SessionDeactivated(_logger, _session.Id, reason.ReasonCode.ToString(), true);
        return Task.CompletedTask;
    }
}
