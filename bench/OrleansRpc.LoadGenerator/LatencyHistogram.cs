using System.Numerics;

namespace OrleansRpc.LoadGenerator;

/// <summary>
/// A log-linear histogram in the HdrHistogram style: exact below 256 ns, then 128 linear sub-buckets per power
/// of two (relative error below 0.8 %). Recording is a few instructions and never allocates; one instance per
/// connection thread, merged at the end.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBuckets = 1 << SubBucketBits;          // 128
    private const int LinearLimit = SubBuckets * 2;             // 256
    private const int MaxExponent = 48;                         // values up to ~2.8e14 ns (days)
    private readonly long[] _counts = new long[LinearLimit + ((MaxExponent - SubBucketBits) * SubBuckets)];

    public long Count { get; private set; }

    public long Max { get; private set; }

    public double Sum { get; private set; }

    public void Record(long nanoseconds)
    {
        if (nanoseconds < 0)
        {
            nanoseconds = 0;
        }

        _counts[IndexOf(nanoseconds)]++;
        Count++;
        Sum += nanoseconds;
        if (nanoseconds > Max)
        {
            Max = nanoseconds;
        }
    }

    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (int i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Sum += other.Sum;
        Max = Math.Max(Max, other.Max);
    }

    public void Reset()
    {
        Array.Clear(_counts);
        Count = 0;
        Sum = 0;
        Max = 0;
    }

    /// <summary>The value at <paramref name="percentile"/> (0–100), as the midpoint of its bucket, in nanoseconds.</summary>
    public double ValueAtPercentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        long rank = (long)Math.Ceiling(percentile / 100.0 * Count);
        rank = Math.Clamp(rank, 1, Count);
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(Midpoint(i), Max);
            }
        }

        return Max;
    }

    internal static int IndexOf(long value)
    {
        if (value < LinearLimit)
        {
            return (int)value;
        }

        int exponent = 63 - BitOperations.LeadingZeroCount((ulong)value); // >= 8
        int shift = Math.Min(exponent - SubBucketBits, MaxExponent - SubBucketBits); // >= 1
        long mantissa = Math.Min(value >> shift, LinearLimit - 1);           // [128, 256)
        return LinearLimit + ((shift - 1) * SubBuckets) + (int)(mantissa - SubBuckets);
    }

    internal static double Midpoint(int index)
    {
        if (index < LinearLimit)
        {
            return index;
        }

        int shift = ((index - LinearLimit) / SubBuckets) + 1;
        long mantissa = ((index - LinearLimit) % SubBuckets) + SubBuckets;
        long low = mantissa << shift;
        return low + ((1L << shift) / 2.0);
    }
}
