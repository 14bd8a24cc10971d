using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.Grains;
using OrleansRpc.Grains.Concurrency;

namespace OrleansRpc.Server;

/// <summary>
/// The activation behind <see cref="ISessionGrain"/>. The state object itself lives in the
/// <see cref="RapSessionStore"/>, so channels and generators of the same session (which do not go through
/// grains) see the same <see cref="RapSession"/>; every call through the grain marks it used.
/// </summary>
[Reentrant]
public sealed class SessionGrain : Grain, ISessionGrain
{
    private readonly RapSessionStore _store;
    private readonly string _key;

    public SessionGrain()
    {
        _store = ServiceProvider.GetRequiredService<RapSessionStore>();
        _key = this.GetPrimaryKeyString();
    }

    public ValueTask<RapSession> GetSessionAsync() => new(_store.GetOrActivate(_key));
}
