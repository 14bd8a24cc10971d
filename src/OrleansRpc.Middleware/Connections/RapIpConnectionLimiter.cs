using System.Net;

namespace OrleansRpc.Middleware.Connections;

/// <summary>
/// Per-IP connection counters (rap's <c>IpMaxConnMiddleware</c>): a counter goes up when a connection from the address
/// opens, down when it ends, and is forgotten <see cref="Timeout"/> after its last change — as rap's Redis key
/// expires. In one process a counter is exact; the window matters once the counters live in a shared store.
/// </summary>
public sealed class RapIpConnectionLimiter
{
    private readonly Lock _sync = new();
    private readonly Dictionary<IPAddress, Entry> _entries = [];
    private readonly TimeProvider _time;
    private int _maxPerIp;
    private TimeSpan _timeout;

    public RapIpConnectionLimiter(RapIpConnectionLimitOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
        _maxPerIp = options.MaxConnectionsPerIp;
        _timeout = options.Timeout;
    }

    /// <summary>The per-address limit.</summary>
    public int MaxConnectionsPerIp
    {
        get => Volatile.Read(ref _maxPerIp);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 0);
            Volatile.Write(ref _maxPerIp, value);
        }
    }

    /// <summary>The statistics window.</summary>
    public TimeSpan Timeout
    {
        get
        {
            lock (_sync)
            {
                return _timeout;
            }
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            lock (_sync)
            {
                _timeout = value;
            }
        }
    }

    /// <summary>Open connections counted for <paramref name="address"/>.</summary>
    public int CountOf(IPAddress address)
    {
        lock (_sync)
        {
            return _entries.TryGetValue(address, out Entry entry) && !Expired(entry) ? entry.Count : 0;
        }
    }

    /// <summary>Counts a new connection of <paramref name="address"/>; false (not counted) when it would exceed the limit.</summary>
    public bool TryEnter(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        lock (_sync)
        {
            int count = _entries.TryGetValue(address, out Entry entry) && !Expired(entry) ? entry.Count : 0;
            if (count >= _maxPerIp)
            {
                return false;
            }

            _entries[address] = new Entry(count + 1, _time.GetUtcNow());
            if (_entries.Count > 1024)
            {
                Sweep();
            }

            return true;
        }
    }

    /// <summary>A connection counted by <see cref="TryEnter"/> ended.</summary>
    public void Exit(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        lock (_sync)
        {
            if (_entries.TryGetValue(address, out Entry entry) && !Expired(entry))
            {
                _entries[address] = new Entry(Math.Max(0, entry.Count - 1), _time.GetUtcNow());
            }
        }
    }

    private bool Expired(Entry entry) => _time.GetUtcNow() - entry.ChangedAt > _timeout;

    private void Sweep()
    {
        foreach (var (address, entry) in _entries)
        {
            if (entry.Count == 0 || Expired(entry))
            {
                _entries.Remove(address);
            }
        }
    }

    private readonly record struct Entry(int Count, DateTimeOffset ChangedAt);
}
