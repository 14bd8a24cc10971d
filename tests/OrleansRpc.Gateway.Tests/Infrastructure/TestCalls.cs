using System.Collections.Concurrent;
using System.Threading.Channels;

namespace OrleansRpc.Gateway.Tests.Infrastructure;

/// <summary>Shared state of <see cref="TestFrameHandler"/>: gates that hold calls, and what happened, in order.</summary>
public sealed class TestCalls
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _gates = new();
    private readonly List<string> _events = [];

    /// <summary>The gateway connections the handler served, in order (to look at their output).</summary>
    internal ConcurrentQueue<Gateway.Connections.RapConnection> Connections { get; } = new();

    /// <summary>Ids of held calls as they start.</summary>
    public Channel<long> Started { get; } = Channel.CreateUnbounded<long>();

    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public void Record(string evt)
    {
        lock (_events)
        {
            _events.Add(evt);
        }
    }

    public Task Gate(long id) => _gates.GetOrAdd(id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Lets the held call <paramref name="id"/> finish.</summary>
    public void Release(long id)
    {
        Record($"release {id}");
        _gates.GetOrAdd(id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    public async Task<long> NextStartedAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        return await Started.Reader.ReadAsync(cts.Token);
    }
}
