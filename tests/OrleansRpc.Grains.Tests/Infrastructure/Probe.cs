using System.Collections.Concurrent;

namespace OrleansRpc.Grains.Tests.Infrastructure;

/// <summary>What test grains report: events, concurrency high-water marks and gates, shared through DI.</summary>
public sealed class Probe
{
    private int _inside;
    private int _maxInside;
    private int _overlaps;
    private int _nextId;

    public ConcurrentQueue<string> Events { get; } = new();

    public ConcurrentDictionary<string, TaskCompletionSource> Signals { get; } = new();

    public int MaxInside => Volatile.Read(ref _maxInside);

    public int Inside => Volatile.Read(ref _inside);

    public int Overlaps => Volatile.Read(ref _overlaps);

    public void Record(string evt) => Events.Enqueue(evt);

    public TaskCompletionSource Signal(string name) =>
        Signals.GetOrAdd(name, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Counts entries; returns the count inside including this one.</summary>
    public int Enter()
    {
        var now = Interlocked.Increment(ref _inside);
        int max;
        while (now > (max = Volatile.Read(ref _maxInside)) && Interlocked.CompareExchange(ref _maxInside, now, max) != max)
        {
        }

        if (now > 1)
        {
            Interlocked.Increment(ref _overlaps);
        }

        return now;
    }

    public int NextId() => Interlocked.Increment(ref _nextId);

    public void Exit() => Interlocked.Decrement(ref _inside);
}
