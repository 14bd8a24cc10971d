using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace OrleansRpc.Server;

/// <summary>
/// The session table: one <see cref="RapSession"/> per key, created on first use and collected when idle
/// (the role of a keyed session grain; one activation per key). Also closes every session of a connection
/// when the gateway reports it gone.
/// </summary>
public sealed class RapSessionStore : IDisposable
{
    private readonly ConcurrentDictionary<string, RapSession> _sessions = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _idle;
    private readonly ITimer? _timer;

    public RapSessionStore(IOptions<RapServerOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _idle = options.Value.SessionIdleTimeout;
        if (_idle > TimeSpan.Zero && _idle != Timeout.InfiniteTimeSpan)
        {
            var period = TimeSpan.FromTicks(Math.Max(_idle.Ticks / 2, TimeSpan.TicksPerMillisecond));
            _timer = time.CreateTimer(static s => ((RapSessionStore)s!).CollectIdle(), this, period, period);
        }
    }

    /// <summary>Number of live sessions.</summary>
    public int Count => _sessions.Count;

    /// <summary>The session for <paramref name="key"/>, activated on first use; marks it used now.</summary>
    public RapSession GetOrActivate(string key)
    {
        var now = _time.GetTimestamp();
        var session = _sessions.GetOrAdd(key, static (k, n) => new RapSession(k, n), now);
        session.Touch(now);
        return session;
    }

    public bool TryGet(string key, out RapSession? session) => _sessions.TryGetValue(key, out session);

    /// <summary>Drops a session at once (e.g. its connection closed).</summary>
    public bool Deactivate(string key) => _sessions.TryRemove(key, out _);

    /// <summary>Drops a session whose grain was collected, unless it was used (directly) within the idle timeout.</summary>
    public bool DeactivateIfIdle(string key)
        => _sessions.TryGetValue(key, out var session)
            && _time.GetElapsedTime(session.LastUsedTimestamp) >= _idle
            && _sessions.TryRemove(new KeyValuePair<string, RapSession>(key, session));

    /// <summary>Collects sessions idle for longer than the idle timeout; returns how many went.</summary>
    public int CollectIdle()
    {
        var now = _time.GetTimestamp();
        var collected = 0;
        foreach (var (key, session) in _sessions)
        {
            if (_time.GetElapsedTime(session.LastUsedTimestamp, now) >= _idle
                && _sessions.TryRemove(new KeyValuePair<string, RapSession>(key, session)))
            {
                collected++;
            }
        }

        return collected;
    }

    public void Dispose() => _timer?.Dispose();
}
