using System.Diagnostics;

namespace OrleansRpc.LoadGenerator;

/// <summary>The run's time line in <see cref="Stopwatch"/> ticks: warm-up, measured window, drain.</summary>
public sealed class RunClock
{
    public RunClock(double warmupSeconds, double durationSeconds)
    {
        long now = Stopwatch.GetTimestamp();
        MeasureStart = now + ToTicks(warmupSeconds);
        MeasureEnd = MeasureStart + ToTicks(durationSeconds);
        DrainEnd = MeasureEnd + ToTicks(3);
    }

    public long MeasureStart { get; }

    public long MeasureEnd { get; }

    /// <summary>Outstanding requests are waited for until then, no longer.</summary>
    public long DrainEnd { get; }

    public double DurationSeconds => (MeasureEnd - MeasureStart) / (double)Stopwatch.Frequency;

    public bool InWindow(long timestamp) => timestamp >= MeasureStart && timestamp < MeasureEnd;

    public static long ToTicks(double seconds) => (long)(seconds * Stopwatch.Frequency);

    public static long ToNanoseconds(long ticks) => Stopwatch.Frequency == 1_000_000_000 ? ticks : (long)(ticks * (1e9 / Stopwatch.Frequency));
}
