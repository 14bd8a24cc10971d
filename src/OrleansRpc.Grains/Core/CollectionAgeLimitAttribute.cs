using System.Globalization;

namespace OrleansRpc.Grains;

/// <summary>
/// Sets how long an idle activation of this grain class lives before idle collection removes it.
/// As in Orleans, no less than one minute.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class CollectionAgeLimitAttribute : Attribute
{
    public static readonly TimeSpan MinAgeLimit = TimeSpan.FromMinutes(1);

    public CollectionAgeLimitAttribute()
    {
    }

    /// <summary>A time span such as "00:05:00".</summary>
    public CollectionAgeLimitAttribute(string inactivityPeriod) =>
        Amount = TimeSpan.Parse(inactivityPeriod, CultureInfo.InvariantCulture);

    public double Days { get; init; }

    public double Hours { get; init; }

    public double Minutes { get; init; }

    /// <summary>Never collect (same as <see cref="KeepAliveAttribute"/>).</summary>
    public bool AlwaysActive { get; init; }

    private TimeSpan Amount { get; }

    /// <summary>The effective limit, clamped up to <see cref="MinAgeLimit"/>.</summary>
    public TimeSpan AgeLimit
    {
        get
        {
            if (AlwaysActive)
            {
                return Timeout.InfiniteTimeSpan;
            }

            var span = Amount + TimeSpan.FromDays(Days) + TimeSpan.FromHours(Hours) + TimeSpan.FromMinutes(Minutes);
            return span < MinAgeLimit ? MinAgeLimit : span;
        }
    }
}
