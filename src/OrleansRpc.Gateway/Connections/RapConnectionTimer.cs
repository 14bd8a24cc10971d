namespace OrleansRpc.Gateway.Connections;

/// <summary>
/// A one-shot, re-armable timer of one connection (pings, pong and idle timeouts, legacy silence, drain
/// deadline): the protocol says when it must next run, this fires once at that time.
/// </summary>
internal sealed class RapConnectionTimer : IDisposable
{
    private readonly TimeProvider _timeProvider;
    private readonly ITimer _timer;
    private readonly Lock _lock = new();
    private DateTimeOffset? _due;
    private bool _disposed;

    public RapConnectionTimer(TimeProvider timeProvider, Action callback)
    {
        _timeProvider = timeProvider;
        _timer = timeProvider.CreateTimer(static state => ((Action)state!)(), callback, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Fires at <paramref name="due"/> (at once when past), or earlier when an earlier time is already armed: callers
    /// on different threads may pass stale times, and firing early is harmless (the callback asks again) while
    /// firing late is not. Null asks for nothing.
    /// </summary>
    public void ScheduleAt(DateTimeOffset? due)
    {
        lock (_lock)
        {
            if (_disposed || due is null || (_due is { } armed && armed <= due))
            {
                return;
            }

            _due = due;

            TimeSpan delay = due.Value - _timeProvider.GetUtcNow();
            _timer.Change(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Called by the callback before it asks for the next due time, so the same time can be armed again.</summary>
    public void MarkFired()
    {
        lock (_lock)
        {
            _due = null;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        _timer.Dispose();
    }
}
