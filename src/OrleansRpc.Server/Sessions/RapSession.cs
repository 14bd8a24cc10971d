using System.Collections.Concurrent;

namespace OrleansRpc.Server;

/// <summary>
/// Per-session state, shared by every call carrying the same session key. Collected by
/// <see cref="RapSessionStore"/> after <see cref="RapServerOptions.SessionIdleTimeout"/> without use.
/// </summary>
public sealed class RapSession
{
    private long _lastUsedTicks;

    internal RapSession(string id, long now)
    {
        Id = id;
        _lastUsedTicks = now;
    }

    /// <summary>The session key.</summary>
    public string Id { get; }

    /// <summary>Free-form state. Values are user objects; the session does not dispose them.</summary>
    public ConcurrentDictionary<string, object?> Items { get; } = new(StringComparer.Ordinal);

    internal long LastUsedTimestamp => Volatile.Read(ref _lastUsedTicks);

    /// <summary>Gets or creates a typed item.</summary>
    public T GetOrAdd<T>(string key, Func<string, T> factory)
        => (T)Items.GetOrAdd(key, static (k, f) => f(k), factory)!;

    internal void Touch(long now) => Volatile.Write(ref _lastUsedTicks, now);
}
