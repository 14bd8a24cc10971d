namespace ConformanceService;

/// <summary>Bookkeeping of <c>echo_channel</c> runs, reported by <c>channel_stats</c>.</summary>
public sealed class ChannelStats
{
    private const int MaxTags = 50;
    private readonly Lock _gate = new();
    private readonly Queue<string> _endedTags = new();
    private int _active;
    private int _ended;
    private int _cancelled;

    public void Started()
    {
        lock (_gate)
        {
            _active++;
        }
    }

    public void Ended(string? tag, bool cancelled)
    {
        lock (_gate)
        {
            _active--;
            _ended++;
            if (cancelled)
            {
                _cancelled++;
            }

            if (tag is not null)
            {
                _endedTags.Enqueue(tag);
                while (_endedTags.Count > MaxTags)
                {
                    _endedTags.Dequeue();
                }
            }
        }
    }

    public ChannelStatsSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new ChannelStatsSnapshot(_active, _ended, _cancelled, [.. _endedTags]);
        }
    }
}
