using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Scheduler;

/// <summary>
/// Runs one activation's work items one at a time on the thread pool. It is the synchronization context of
/// every turn, so an <c>await</c> in grain code resumes here: an activation's code never runs on two threads at
/// once, reentrant or not (Orleans' ActivationTaskScheduler; <c>ConfigureAwait(false)</c> leaves it, as there).
/// </summary>
internal sealed class ActivationScheduler : SynchronizationContext, IThreadPoolWorkItem
{
    // Items run per thread-pool visit before yielding, so one busy activation cannot starve the rest.
    private const int MaxItemsPerVisit = 128;

    // An inline visit runs on the caller's thread: keep it to the caller's own item (or close to it).
    private const int MaxItemsPerInlineVisit = 2;

    [ThreadStatic]
    private static int t_inlineDepth;

    private readonly Queue<WorkItem> _items = new();
    private readonly Lock _lock = new();
    private readonly IGrainContext _context;
    private readonly Action<Exception> _onUnhandled;
    private bool _scheduled;

    public ActivationScheduler(IGrainContext context, Action<Exception> onUnhandled)
    {
        _context = context;
        _onUnhandled = onUnhandled;
    }

    /// <summary>Whether the calling code is running inside this scheduler's turn.</summary>
    public bool IsCurrent => Current == this;

    public override void Post(SendOrPostCallback d, object? state) => Post(d, state, allowInline: false);

    /// <summary>
    /// Queues a work item. With <paramref name="allowInline"/>, an idle scheduler runs it at once on the calling
    /// thread (only outside any grain turn, and never nested), saving the thread-pool hop.
    /// </summary>
    public void Post(SendOrPostCallback d, object? state, bool allowInline)
    {
        bool schedule;
        lock (_lock)
        {
            _items.Enqueue(new WorkItem(d, state));
            schedule = !_scheduled;
            _scheduled = true;
        }

        if (!schedule)
        {
            return;
        }

        if (allowInline && t_inlineDepth == 0 && RuntimeContext.Current is null && Current is not ActivationScheduler)
        {
            t_inlineDepth++;
            try
            {
                Run(MaxItemsPerInlineVisit);
            }
            finally
            {
                t_inlineDepth--;
            }

            return;
        }

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    public override void Send(SendOrPostCallback d, object? state)
    {
        if (!IsCurrent)
        {
            throw new NotSupportedException("Synchronous Send into a grain activation is not supported.");
        }

        d(state);
    }

    public override SynchronizationContext CreateCopy() => this;

    public void Execute() => Run(MaxItemsPerVisit);

    private void Run(int maxItems)
    {
        var previousContext = Current;
        var previousGrain = RuntimeContext.Set(_context);
        SetSynchronizationContext(this);
        try
        {
            for (var i = 0; i < maxItems; i++)
            {
                WorkItem item;
                lock (_lock)
                {
                    if (!_items.TryDequeue(out item))
                    {
                        _scheduled = false;
                        return;
                    }
                }

                try
                {
                    item.Callback(item.State);
                }
#pragma warning disable CA1031 // A faulting work item must not take the scheduler (and the activation) down with it.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    _onUnhandled(ex);
                }

                // A work item may leave a different context installed (e.g. after signalling a caller).
                SetSynchronizationContext(this);
                RuntimeContext.Set(_context);
            }

            // Still busy: go to the back of the thread pool's queue.
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
        finally
        {
            SetSynchronizationContext(previousContext);
            RuntimeContext.Set(previousGrain);
        }
    }

    private readonly record struct WorkItem(SendOrPostCallback Callback, object? State);
}
