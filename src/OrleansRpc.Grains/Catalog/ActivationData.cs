using OrleansRpc.Grains.Diagnostics;
using OrleansRpc.Grains.Messaging;
using OrleansRpc.Grains.Runtime;
using OrleansRpc.Grains.Scheduler;

namespace OrleansRpc.Grains.Catalog;

/// <summary>
/// One activation: the grain instance, its request queue and its turn-based scheduling
/// (Orleans' ActivationData: <c>MayInvokeRequest</c>, <c>RecordRunning</c>, deactivation).
/// </summary>
internal sealed class ActivationData : IGrainContext
{
    private static readonly SendOrPostCallback s_activate = static s => _ = ((ActivationData)s!).ActivateAsync();

    private readonly Lock _lock = new();
    private readonly List<GrainRequest> _running = new(1);
    private readonly List<GrainRequest> _waiting = [];
    private readonly GrainRuntime _runtime;
    private readonly TaskCompletionSource _deactivated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile ActivationState _state;
    private GrainRequest? _blocking;
    private volatile int _runningCount;
    private volatile int _waitingCount;
    private long _idleSince;
    private long _keepAliveUntil = long.MinValue;
    private DeactivationReason? _pendingDeactivation;
    private TaskCompletionSource? _drained;
    private int _activeEnumerations;

    public ActivationData(GrainRuntime runtime, GrainClassInfo classInfo, GrainId grainId, StatelessWorkerPool? pool)
    {
        _runtime = runtime;
        ClassInfo = classInfo;
        GrainId = grainId;
        Pool = pool;
        Scheduler = new ActivationScheduler(this, ex => GrainsLog.UnhandledWorkItemException(runtime.Logger, grainId, ex));
        _idleSince = runtime.TimeProvider.GetTimestamp();
    }

    public GrainClassInfo ClassInfo { get; }

    public GrainId GrainId { get; }

    public StatelessWorkerPool? Pool { get; }

    public ActivationScheduler Scheduler { get; }

    public object? GrainInstance { get; private set; }

    public IServiceProvider ActivationServices => _runtime.Services;

    public ActivationState State => _state;

    /// <summary>No request running or waiting, and able to take one (a stateless worker's "inactive").</summary>
    public bool IsInactive => _runningCount == 0 && _waitingCount == 0 && _state is ActivationState.Created or ActivationState.Valid;

    /// <summary>Not (being) deactivated.</summary>
    public bool IsUsable => _state < ActivationState.Deactivating;

    public int WaitingCount => _waitingCount;

    public int RunningCount => _runningCount;

    public Task Deactivated => _deactivated.Task;

    /// <summary>Queues or starts a request; false if this activation is gone and the request must go elsewhere.</summary>
    public bool Enqueue(GrainRequest request)
    {
        Exception? rejection = null;
        var activate = false;
        var inline = false;
        lock (_lock)
        {
            if (_state == ActivationState.Invalid)
            {
                return false;
            }

            request.Activation = this;
            if (_state == ActivationState.Valid && MayInvoke(request))
            {
                inline = request.AllowInline;
                StartLocked(request, post: !inline);
            }
            else
            {
                var limit = _runtime.MaxEnqueuedRequests;
                if (limit > 0 && _waiting.Count >= limit)
                {
                    rejection = new LimitExceededException("MaxEnqueuedRequestsHardLimit", _waiting.Count + 1, limit, this);
                }
                else
                {
                    _waiting.Add(request);
                    _waitingCount = _waiting.Count;
                    if (_state == ActivationState.Created)
                    {
                        _state = ActivationState.Activating;
                        activate = true;
                    }
                }
            }
        }

        if (rejection is not null)
        {
            GrainsLog.ActivationOverloaded(_runtime.Logger, this, _waitingCount, _runtime.MaxEnqueuedRequests);
            _runtime.Instruments.Rejections.Add(1);
            request.TryCompleteCaller(rejection);
        }

        if (activate)
        {
            Scheduler.Post(s_activate, this);
        }

        // The caller posts it once every lock (a worker pool's too) is released: the turn may run right there.
        request.InlineStartPending = inline;
        return true;
    }

    /// <summary>Called on this activation's scheduler when a request's turn has ended.</summary>
    public void OnRequestCompleted(GrainRequest request)
    {
        TaskCompletionSource? drained = null;
        lock (_lock)
        {
            if (!_running.Remove(request))
            {
                return;
            }

            _runningCount = _running.Count;
            if (_blocking == request)
            {
                _blocking = null;
            }

            if (_state == ActivationState.Valid)
            {
                PumpLocked();
            }
            else if (_state == ActivationState.Deactivating && _running.Count == 0)
            {
                drained = _drained;
                _drained = null;
            }

            if (_running.Count == 0 && _waiting.Count == 0)
            {
                _idleSince = _runtime.TimeProvider.GetTimestamp();
            }
        }

        drained?.TrySetResult();
    }

    /// <summary>Drops a request that has not started (its caller gave up); false if it was not waiting.</summary>
    public bool RemoveWaiting(GrainRequest request)
    {
        lock (_lock)
        {
            var removed = _waiting.Remove(request);
            _waitingCount = _waiting.Count;
            return removed;
        }
    }

    /// <summary>Collects requests past their deadline; waiting ones are removed from the queue.</summary>
    public void CollectExpired(long now, List<GrainRequest> expired)
    {
        if (_runningCount == 0 && _waitingCount == 0)
        {
            return;
        }

        lock (_lock)
        {
            // Marked under the lock the turn's completion also takes: a request the sweep hands to a timeout work
            // item is never pooled, whichever answers its caller first.
            foreach (var request in _running)
            {
                if (request.Deadline <= now && !request.IsCallerCompleted)
                {
                    request.MarkTimeoutPending();
                    expired.Add(request);
                }
            }

            for (var i = _waiting.Count - 1; i >= 0; i--)
            {
                if (_waiting[i].Deadline <= now)
                {
                    expired.Add(_waiting[i]);
                    _waiting.RemoveAt(i);
                }
            }

            _waitingCount = _waiting.Count;
        }
    }

    /// <summary>Deactivates if idle for at least <paramref name="collectionAge"/> and not kept alive.</summary>
    public bool TryCollectIdle(long now, TimeSpan collectionAge)
    {
        if (_state != ActivationState.Valid || !IsInactive || Volatile.Read(ref _activeEnumerations) > 0)
        {
            return false;
        }

        if (now < Volatile.Read(ref _keepAliveUntil) || _runtime.TimeProvider.GetElapsedTime(Volatile.Read(ref _idleSince), now) < collectionAge)
        {
            return false;
        }

        _ = StartDeactivation(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "The activation was idle for longer than its collection age."));
        return true;
    }

    public void EnumerationStarted() => Interlocked.Increment(ref _activeEnumerations);

    public void EnumerationEnded() => Interlocked.Decrement(ref _activeEnumerations);

    public void Deactivate(DeactivationReason reason, CancellationToken cancellationToken = default) => _ = StartDeactivation(reason);

    public void DelayDeactivation(TimeSpan timeSpan)
    {
        long until;
        if (timeSpan == TimeSpan.MaxValue || timeSpan == System.Threading.Timeout.InfiniteTimeSpan)
        {
            until = long.MaxValue;
        }
        else if (timeSpan <= TimeSpan.Zero)
        {
            until = long.MinValue;
        }
        else
        {
            until = _runtime.TimestampAfter(timeSpan);
        }

        Volatile.Write(ref _keepAliveUntil, until);
    }

    /// <summary>
    /// Starts deactivating: no new request starts; running ones get up to DeactivationTimeout to finish, then
    /// OnDeactivateAsync runs; waiting requests then go to a new activation (or fail if the silo is stopping).
    /// </summary>
    public Task StartDeactivation(DeactivationReason reason)
    {
        Task? drained = null;
        var begin = false;
        lock (_lock)
        {
            switch (_state)
            {
                case ActivationState.Created:
                    _state = ActivationState.Invalid;
                    break;
                case ActivationState.Activating:
                    _pendingDeactivation ??= reason;
                    return _deactivated.Task;
                case ActivationState.Valid:
                    _state = ActivationState.Deactivating;
                    if (_running.Count > 0)
                    {
                        _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        drained = _drained.Task;
                    }

                    begin = true;
                    break;
                default:
                    return _deactivated.Task;
            }
        }

        if (begin)
        {
            _ = DeactivateAsync(reason, drained);
            return _deactivated.Task;
        }

        // Never activated: nothing to run.
        _runtime.Directory.Remove(this);
        _deactivated.TrySetResult();
        return _deactivated.Task;
    }

    public override string ToString() => $"[Activation: {GrainId} {ClassInfo.ClassType.Name} #{GetHashCode():X8}]";

    private bool MayInvoke(GrainRequest request)
    {
        // Orleans' order: nothing running; always-interleave; nothing blocking; both read-only; reentrant
        // class; a MayInterleave predicate accepting the request or the blocking one.
        if (_running.Count == 0 || request.Method.IsAlwaysInterleave || _blocking is null)
        {
            return true;
        }

        if (_blocking.Method.IsReadOnly && request.Method.IsReadOnly)
        {
            return true;
        }

        if (ClassInfo.IsReentrant)
        {
            return true;
        }

        return ClassInfo.MayInterleave is { } mayInterleave && (mayInterleave(request) || mayInterleave(_blocking));
    }

    private void StartLocked(GrainRequest request, bool post = true)
    {
        _running.Add(request);
        _runningCount = _running.Count;
        if (!request.Method.IsAlwaysInterleave && _blocking is null)
        {
            _blocking = request;
        }

        request.IsStarted = true;
        if (post)
        {
            Scheduler.Post(GrainRequest.RunCallback, request);
        }
    }

    private void PumpLocked()
    {
        // Scan in order, skipping what cannot run yet: not strict FIFO, as in Orleans.
        for (var i = 0; i < _waiting.Count;)
        {
            var request = _waiting[i];
            if (MayInvoke(request))
            {
                _waiting.RemoveAt(i);
                StartLocked(request);
            }
            else
            {
                i++;
            }
        }

        _waitingCount = _waiting.Count;
    }

    private async Task ActivateAsync()
    {
        try
        {
            GrainInstance = ClassInfo.CreateInstance(_runtime.Services);
            if (GrainInstance is IGrainBase grainBase)
            {
                using var cts = new CancellationTokenSource(_runtime.CollectionOptions.ActivationTimeout, _runtime.TimeProvider);
                await grainBase.OnActivateAsync(cts.Token);
            }
        }
#pragma warning disable CA1031 // The failure goes to every waiting caller.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            FailActivation(ex);
            return;
        }

        _runtime.Instruments.ActivationCreated();
        DeactivationReason? pending;
        lock (_lock)
        {
            _state = ActivationState.Valid;
            pending = _pendingDeactivation;
            if (pending is null)
            {
                PumpLocked();
                if (_running.Count == 0 && _waiting.Count == 0)
                {
                    _idleSince = _runtime.TimeProvider.GetTimestamp();
                }
            }
        }

        if (pending is { } reason)
        {
            _ = StartDeactivation(reason);
        }
    }

    private void FailActivation(Exception exception)
    {
        GrainsLog.ActivationFailed(_runtime.Logger, GrainId, exception);
        List<GrainRequest> waiting;
        lock (_lock)
        {
            _state = ActivationState.Invalid;
            waiting = [.. _waiting];
            _waiting.Clear();
            _waitingCount = 0;
        }

        _runtime.Directory.Remove(this);
        foreach (var request in waiting)
        {
            request.TryCompleteCaller(exception);
        }

        _deactivated.TrySetResult();
    }

    private async Task DeactivateAsync(DeactivationReason reason, Task? drained)
    {
        using var cts = new CancellationTokenSource(_runtime.CollectionOptions.DeactivationTimeout, _runtime.TimeProvider);
        if (drained is not null)
        {
            try
            {
                await drained.WaitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                GrainsLog.DeactivationDrainTimedOut(_runtime.Logger, GrainId, _runningCount);
            }
        }

        if (GrainInstance is IGrainBase grainBase)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Scheduler.Post(static s =>
            {
                var (grain, reason, token, done) = ((IGrainBase, DeactivationReason, CancellationToken, TaskCompletionSource))s!;
                _ = CallOnDeactivateAsync(grain, reason, token, done);
            }, (grainBase, reason, cts.Token, done));
            try
            {
                await done.Task.ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A failing OnDeactivateAsync still deactivates.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                GrainsLog.DeactivationFailed(_runtime.Logger, GrainId, ex);
            }
        }

        List<GrainRequest> leftovers;
        lock (_lock)
        {
            _state = ActivationState.Invalid;
            leftovers = [.. _waiting];
            _waiting.Clear();
            _waitingCount = 0;
        }

        _runtime.Directory.Remove(this);
        _runtime.Instruments.ActivationRemoved();
        foreach (var request in leftovers)
        {
            _runtime.Redispatch(request);
        }

        _deactivated.TrySetResult();
    }

    private static async Task CallOnDeactivateAsync(IGrainBase grain, DeactivationReason reason, CancellationToken token, TaskCompletionSource done)
    {
        try
        {
            await grain.OnDeactivateAsync(reason, token);
            done.TrySetResult();
        }
#pragma warning disable CA1031 // Reported to the deactivation.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            done.TrySetException(ex);
        }
    }
}
