using OrleansRpc.Grains;

namespace OrleansRpc.Server;

/// <summary>
/// A rap session as a keyed grain (key = 0.5.3.8 <c>session_id</c>, or a HEAD connection id): one activation per key
/// holding the <see cref="RapSession"/> state, collected by the grain runtime after
/// <see cref="RapServerOptions.SessionIdleTimeout"/> without calls.
/// </summary>
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>The session state of this key (the same object for every call while the activation lives).</summary>
    ValueTask<RapSession> GetSessionAsync();
}
