namespace OrleansRpc.MessagePack;

/// <summary>
/// The msgpack timestamp extension (type -1): seconds since the Unix epoch and nanoseconds.
/// Covers the whole range of the format, beyond what <see cref="DateTime"/> can hold.
/// </summary>
public readonly record struct MessagePackTimestamp
{
    /// <summary>The ext type code of timestamps.</summary>
    public const sbyte ExtensionTypeCode = -1;

    private const long NanosPerTick = 100;

    public MessagePackTimestamp(long seconds, uint nanoseconds)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nanoseconds, 999_999_999u);
        Seconds = seconds;
        Nanoseconds = nanoseconds;
    }

    public long Seconds { get; }

    public uint Nanoseconds { get; }

    /// <summary>A UTC timestamp from a <see cref="DateTime"/> (local times are converted, unspecified ones taken as UTC).</summary>
    public static MessagePackTimestamp FromDateTime(DateTime value)
    {
        if (value.Kind == DateTimeKind.Local)
        {
            value = value.ToUniversalTime();
        }

        long ticks = value.Ticks - DateTime.UnixEpoch.Ticks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rem);
        if (rem < 0)
        {
            seconds--;
            rem += TimeSpan.TicksPerSecond;
        }

        return new MessagePackTimestamp(seconds, (uint)(rem * NanosPerTick));
    }

    /// <summary>The UTC <see cref="DateTime"/> (nanoseconds truncated to 100 ns ticks).</summary>
    /// <exception cref="MessagePackSerializationException">Outside the range of <see cref="DateTime"/>.</exception>
    public DateTime ToDateTime()
    {
        const long minSeconds = -62_135_596_800; // 0001-01-01
        const long maxSeconds = 253_402_300_799; // 9999-12-31T23:59:59
        if (Seconds < minSeconds || Seconds > maxSeconds)
        {
            throw new MessagePackSerializationException($"Timestamp {Seconds}s is outside the range of DateTime.");
        }

        long ticks = DateTime.UnixEpoch.Ticks + (Seconds * TimeSpan.TicksPerSecond) + (Nanoseconds / NanosPerTick);
        return new DateTime(ticks, DateTimeKind.Utc);
    }

    public override string ToString() => $"{Seconds}.{Nanoseconds:D9}";
}
