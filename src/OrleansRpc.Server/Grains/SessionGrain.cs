using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansRpc.Grains;
using OrleansRpc.Grains.Concurrency;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Server;

/// <summary>
/// The activation behind <see cref="ISessionGrain"/>. The state object itself lives in the
/// <see cref="RapSessionStore"/>, so channels, generators and functions that only read
/// <see cref="RapCallContext.Session"/> (which do not go through grains) see the same <see cref="RapSession"/>;
/// every call through the grain marks it used. Collected by the runtime after
/// <see cref="RapServerOptions.SessionIdleTimeout"/> without calls; the state goes with it unless it was used
/// directly in the meantime (the store then collects it itself once idle).
/// </summary>
[Reentrant]
public sealed class SessionGrain : Grain, ISessionGrain
{
    private readonly RapSessionStore _store;
    private readonly string _key;
    private readonly ILogger _logger;

    public SessionGrain()
    {
        _store = ServiceProvider.GetRequiredService<RapSessionStore>();
        _logger = ServiceProvider.GetRequiredService<ILogger<SessionGrain>>();
        _key = this.GetPrimaryKeyString();
    }

    public ValueTask<RapSession> GetSessionAsync() => new(_store.GetOrActivate(_key));

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        var dropped = _store.DeactivateIfIdle(_key);
        RapServerLog.SessionDeactivated(_logger, _key, reason.ReasonCode.ToString(), dropped);
        return Task.CompletedTask;
    }
}
