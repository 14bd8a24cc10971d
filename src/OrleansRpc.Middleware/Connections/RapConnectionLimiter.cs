namespace OrleansRpc.Middleware.Connections;

/// <summary>
/// The state of the connection limit (rap's <c>ConnLimitMiddleware</c>): the count of served connections and the time
/// until which new ones are refused. Changeable at run time (admin functions).
/// </summary>
public sealed class RapConnectionLimiter
{
    private readonly Lock _sync = new();
    private readonly TimeProvider _time;
    private int _count;
    private int _maxConnections;
    private TimeSpan _blockTime;
    private DateTimeOffset _releaseAt;

    public RapConnectionLimiter(RapConnectionLimitOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
        _maxConnections = options.MaxConnections;
        _blockTime = options.BlockTime;
        _releaseAt = timeProvider.GetUtcNow();
    }

    /// <summary>Connections being served.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The limit.</summary>
    public int MaxConnections
    {
        get => Volatile.Read(ref _maxConnections);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 0);
            Volatile.Write(ref _maxConnections, value);
        }
    }

    /// <summary>How long refusals last after the limit was exceeded.</summary>
    public TimeSpan BlockTime
    {
        get
        {
            lock (_sync)
            {
                return _blockTime;
            }
        }
    }

    /// <summary>Until when new connections are refused (in the past: not blocking).</summary>
    public DateTimeOffset ReleaseAt
    {
        get
        {
            lock (_sync)
            {
                return _releaseAt;
            }
        }

        set
        {
            lock (_sync)
            {
                _releaseAt = value;
            }
        }
    }

    /// <summary>Admits one connection (pair with <see cref="Exit"/>) or refuses it, starting the block when it was not blocking yet.</summary>
    public bool TryEnter()
    {
        lock (_sync)
        {
            DateTimeOffset now = _time.GetUtcNow();
            if (_releaseAt > now || _count >= _maxConnections)
            {
                if (now >= _releaseAt)
                {
                    _releaseAt = now + _blockTime;
                }

                return false;
            }

            _count++;
            return true;
        }
    }

    /// <summary>A connection admitted by <see cref="TryEnter"/> ended.</summary>
    public void Exit()
    {
        lock (_sync)
        {
            _count--;
        }
    }
}
