namespace OrleansRpc.Gateway;

/// <summary>
/// Rate limit of the Information lines about clients' structural protocol errors (malformed msgpack, a frame over a
/// limit, a rejected frame). A connection logs at most one (it is closed by it), but a client opening connections in a
/// loop would otherwise decide how much the server logs; lines over the budget go to Debug, and the next line that is
/// written says how many were demoted. Gateway-wide, thread-safe.
/// </summary>
internal sealed class ProtocolErrorLogLimiter
{
    /// <summary>Information lines allowed in a burst.</summary>
    public const int Burst = 20;

    /// <summary>Information lines allowed per second after the burst.</summary>
    public const int PerSecond = 5;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private double _tokens = Burst;
    private long _last;
    private long _demoted;

    public ProtocolErrorLogLimiter(TimeProvider time)
    {
        _time = time;
        _last = time.GetTimestamp();
    }

    /// <summary>True when this line may be written at Information; <paramref name="demotedBefore"/> counts the lines sent to Debug since the last one.</summary>
    public bool TryTake(out long demotedBefore)
    {
        lock (_lock)
        {
            long now = _time.GetTimestamp();
            _tokens = Math.Min(Burst, _tokens + (_time.GetElapsedTime(_last, now).TotalSeconds * PerSecond));
            _last = now;
            if (_tokens >= 1)
            {
                _tokens--;
                demotedBefore = _demoted;
                _demoted = 0;
                return true;
            }

            _demoted++;
            demotedBefore = 0;
            return false;
        }
    }
}
