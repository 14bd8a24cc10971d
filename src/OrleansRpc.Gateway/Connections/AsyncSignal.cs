using System.Threading.Tasks.Sources;

namespace OrleansRpc.Gateway.Connections;

/// <summary>
/// An auto-reset signal for exactly one waiting consumer (the connection's writer loop) and any number of
/// setters, without allocating per wait (a <c>SemaphoreSlim</c> allocates a node for every asynchronous wait).
/// A waiting consumer is woken through the thread pool's global (FIFO) queue rather than the setter's local one:
/// work already queued (e.g. other calls about to complete) runs first and its answers join the same send.
/// </summary>
internal sealed class AsyncSignal : IValueTaskSource, IThreadPoolWorkItem
{
    private const int Idle = 0;
    private const int Signaled = 1;
    private const int Waiting = 2;

    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = false };
    private int _state;

    /// <summary>Wakes the waiter, or lets its next wait return at once.</summary>
    public void Set()
    {
        while (true)
        {
            switch (Volatile.Read(ref _state))
            {
                case Signaled:
                    return;
                case Idle:
                    if (Interlocked.CompareExchange(ref _state, Signaled, Idle) == Idle)
                    {
                        return;
                    }

                    break;
                default:
                    if (Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
                    {
                        // Never inline: the setter may hold locks or be the read loop.
                        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                        return;
                    }

                    break;
            }
        }
    }

    /// <summary>Completes when signaled (consuming the signal). Only one wait may be outstanding.</summary>
    public ValueTask WaitAsync()
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Signaled) == Signaled)
        {
            return default;
        }

        _core.Reset();
        if (Interlocked.CompareExchange(ref _state, Waiting, Idle) == Idle)
        {
            return new ValueTask(this, _core.Version);
        }

        // Set() ran between the two exchanges: the state is Signaled; consume it.
        Volatile.Write(ref _state, Idle);
        return default;
    }

    void IThreadPoolWorkItem.Execute() => _core.SetResult(true);

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
