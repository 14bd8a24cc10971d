using System.Collections.Concurrent;

namespace OrleansRpc.Server;

/// <summary>
/// Per-session state, shared by every call carrying the same session key: owned by the session's grain
/// (<see cref="ISessionGrain"/>), where the functions that take it run; collected with that grain after
/// <see cref="RapServerOptions.SessionIdleTimeout"/> without calls.
/// </summary>
public sealed class RapSession
{
    internal RapSession(string id) => Id = id;

    /// <summary>The session key.</summary>
    public string Id { get; }

    /// <summary>Free-form state. Values are user objects; the session does not dispose them.</summary>
    public ConcurrentDictionary<string, object?> Items { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets or creates a typed item.</summary>
    public T GetOrAdd<T>(string key, Func<string, T> factory)
        => (T)Items.GetOrAdd(key, static (k, f) => f(k), factory)!;
}
