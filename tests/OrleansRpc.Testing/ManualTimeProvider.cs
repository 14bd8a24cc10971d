namespace OrleansRpc.Testing;

/// <summary>A clock that only moves when told to (no timers): for driving sans-IO state machines deterministically.</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _sync = new();
    private DateTimeOffset _now;

    /// <summary>Starts at <paramref name="start"/>.</summary>
    public ManualTimeProvider(DateTimeOffset start) => _now = start;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_sync)
        {
            return _now;
        }
    }

    /// <inheritdoc />
    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Moves the clock forward.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        lock (_sync)
        {
            _now += by;
        }
    }

    /// <summary>Sets the clock (never backwards).</summary>
    public void SetUtcNow(DateTimeOffset value)
    {
        lock (_sync)
        {
            if (value > _now)
            {
                _now = value;
            }
        }
    }
}
