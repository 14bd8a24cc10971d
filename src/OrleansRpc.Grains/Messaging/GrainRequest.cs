using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using OrleansRpc.Grains.Catalog;
using OrleansRpc.Grains.Diagnostics;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Messaging;

/// <summary>
/// One grain call: the queued message, the turn that runs it, the filter context and the caller's completion
/// source, all in one object. Requests are pooled: one goes back to its pool when its caller has read the outcome,
/// and only if the turn completed the caller itself with nothing else still holding the request (no pending
/// timeout or cancellation callback, no call filter that saw the context, no activity). Every other call's
/// request is left to the garbage collector, so a late callee, timer or callback can never touch a reused one.
/// </summary>
internal abstract class GrainRequest : IIncomingGrainCallContext, IInvokable
{
    internal static readonly SendOrPostCallback RunCallback = static state => ((GrainRequest)state!).Run();

    private int _callerCompleted;
    private int _filterIndex;
    private CancellationTokenRegistration _callerRegistration;
    private bool _hasCallerRegistration;
    private bool _usedFilters;
    private bool _timeoutPending;
    private Activity? _activity;
    private CancellationTokenSource? _cts;

    public GrainRuntime Runtime { get; private set; } = null!;

    public GrainReference Target { get; private set; } = null!;

    public GrainMethod Method { get; private set; } = null!;

    public TimeSpan Timeout { get; private set; }

    /// <summary>The timestamp (TimeProvider units) after which the caller gets a TimeoutException.</summary>
    public long Deadline { get; private set; }

    /// <summary>
    /// The callee's cancellation source, created on first use: when the turn starts a call that a timeout or its
    /// caller can cancel, or when one of them cancels it. Never pooled or reset: the callee may keep its token past
    /// the call (a background task, a stream producer), and a reused source would hand it some later call's
    /// cancellation. A call that completes normally never cancels it afterwards.
    /// </summary>
    public CancellationTokenSource Cts
    {
        get
        {
            var cts = Volatile.Read(ref _cts);
            if (cts is not null)
            {
                return cts;
            }

            cts = new CancellationTokenSource();
            return Interlocked.CompareExchange(ref _cts, cts, null) ?? cts;
        }
    }

    /// <summary>Set when queued on an activation.</summary>
    public ActivationData? Activation { get; set; }

    /// <summary>Set (under the activation lock) when the turn is scheduled.</summary>
    public bool IsStarted { get; set; }

    /// <summary>The caller allows the turn to run on its own thread (<see cref="GrainCallOptions.AllowInlineExecution"/>).</summary>
    public bool AllowInline { get; private set; }

    /// <summary>Started by the activation but not yet posted to its scheduler (inline execution).</summary>
    public bool InlineStartPending { get; set; }

    /// <summary>Internal runtime calls (enumerator steps) skip call filters.</summary>
    public bool BypassFilters { get; private set; }

    /// <summary>Whether the caller already has its outcome (result, error, timeout or cancellation).</summary>
    public bool IsCallerCompleted => Volatile.Read(ref _callerCompleted) != 0;

    protected bool HasResponse { get; set; }

    /// <summary>Set (before the caller is signalled) when the caller's read of the outcome may return this request to its pool.</summary>
    protected bool ReturnToPoolOnResult { get; private set; }

    /// <summary>
    /// The token the callee gets: none when nothing can cancel the call (no cancellable caller token, no response
    /// timeout that cancels), else the lazily created <see cref="Cts"/>'s.
    /// </summary>
    protected CancellationToken CalleeToken =>
        _hasCallerRegistration || (Deadline != long.MaxValue && Runtime.CancelRequestOnTimeout) || Volatile.Read(ref _cts) is not null
            ? Cts.Token
            : CancellationToken.None;

    // ---- IIncomingGrainCallContext ----

    public IInvokable Request => this;

    public object Grain => Activation?.GrainInstance ?? throw new InvalidOperationException("The call has not reached an activation.");

    public GrainId? SourceId { get; private set; }

    public GrainId TargetId => Target.GrainId;

    public string InterfaceName => Method.InterfaceName;

    public string MethodName => Method.MethodName;

    public MethodInfo InterfaceMethod => Method.InterfaceMethod;

    public abstract object? Result { get; set; }

    public CancellationToken CancellationToken => CalleeToken;

    public IGrainContext TargetContext => Activation ?? throw new InvalidOperationException("The call has not reached an activation.");

    public MethodInfo ImplementationMethod => Activation?.ClassInfo.GetImplementationMethod(Method.InterfaceMethod) ?? Method.InterfaceMethod;

    /// <summary>The arguments, boxed; only call filters use it.</summary>
    protected abstract object? BoxedState { get; set; }

    public Task Invoke()
    {
        var filters = Runtime.Filters;
        var index = _filterIndex++;
        if (index < filters.Length)
        {
            return filters[index].Invoke(this);
        }

        if (index == filters.Length && Activation!.GrainInstance is IIncomingGrainCallFilter grainFilter)
        {
            return grainFilter.Invoke(this);
        }

        return InvokeBodyAsync(Activation!.GrainInstance!, CalleeToken).AsTask();
    }

    // ---- IInvokable ----

    public int GetArgumentCount() => BoxedState is ITuple tuple ? tuple.Length : 1;

    public object? GetArgument(int index)
    {
        var state = BoxedState;
        if (state is ITuple tuple)
        {
            return tuple[index];
        }

        ArgumentOutOfRangeException.ThrowIfNotEqual(index, 0);
        return state;
    }

    public void SetArgument(int index, object? value)
    {
        var state = BoxedState;
        if (state is ITuple tuple)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, tuple.Length);
            var field = state.GetType().GetField("Item" + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))
                ?? throw new NotSupportedException($"Arguments of type {state.GetType()} cannot be replaced.");
            field.SetValue(state, value);
            BoxedState = state;
            return;
        }

        ArgumentOutOfRangeException.ThrowIfNotEqual(index, 0);
        BoxedState = value;
    }

    public string GetMethodName() => Method.MethodName;

    public string GetInterfaceName() => Method.InterfaceName;

    public MethodInfo GetMethod() => Method.InterfaceMethod;

    // ---- turn ----

    /// <summary>Sets a rented (or new) request up for one call.</summary>
    protected void Initialize(GrainRuntime runtime, GrainReference target, GrainMethod method, TimeSpan timeout, bool allowInline, bool bypassFilters)
    {
        Runtime = runtime;
        Target = target;
        Method = method;
        Timeout = timeout;
        Deadline = runtime.TimestampAfter(timeout);
        AllowInline = allowInline;
        BypassFilters = bypassFilters;
        SourceId = RuntimeContext.Current?.GrainId;
        if (GrainsDiagnostics.ActivitySource.HasListeners())
        {
            _activity = GrainsDiagnostics.StartCallActivity(this);
        }
    }

    /// <summary>Clears the per-call state before the request goes back to its pool.</summary>
    protected void ResetBase()
    {
        _callerCompleted = 0;
        _filterIndex = 0;
        _callerRegistration = default;
        _hasCallerRegistration = false;
        _usedFilters = false;
        _timeoutPending = false;
        _activity = null;
        _cts = null;
        Runtime = null!;
        Target = null!;
        Method = null!;
        SourceId = null;
        Activation = null;
        IsStarted = false;
        InlineStartPending = false;
        HasResponse = false;
        ReturnToPoolOnResult = false;
    }

    /// <summary>Runs the call on its activation's scheduler.</summary>
    public void Run()
    {
        if (IsCallerCompleted)
        {
            // The caller gave up before the turn began: drop it, as Orleans drops expired messages.
            Finish(null);
            return;
        }

        // Read into locals: once the caller is signalled, a pooled request may already serve another call.
        var activity = _activity;
        var previousActivity = activity is null ? null : Activity.Current;
        if (activity is not null)
        {
            Activity.Current = activity;
        }

        try
        {
            if (BypassFilters || !(Runtime.HasFilters || Activation!.ClassInfo.IsCallFilter))
            {
                // The common path: the body's own awaiter, no Task and no state machine.
                StartBody(Activation!.GrainInstance!);
                return;
            }

            // Filters may keep the context: this request is never pooled.
            _usedFilters = true;
            Task pending;
            try
            {
                pending = Invoke();
            }
#pragma warning disable CA1031 // Any exception belongs to the caller.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Finish(ex);
                return;
            }

            if (pending.IsCompletedSuccessfully)
            {
                Finish(null);
            }
            else
            {
                _ = AwaitAsync(pending);
            }
        }
        finally
        {
            if (activity is not null)
            {
                Activity.Current = previousActivity;
            }
        }
    }

    /// <summary>
    /// Registers the caller's cancellation; done before the request is dispatched, so that a turn completing right
    /// away (inline) finds the registration and removes it, instead of leaving it on the caller's token.
    /// </summary>
    public void RegisterCallerCancellation(CancellationToken cancellationToken)
    {
        _hasCallerRegistration = true;
        _callerRegistration = cancellationToken.UnsafeRegister(static s => ((GrainRequest)s!).OnCallerCancelled(), this);
    }

    /// <summary>
    /// Marks the request as handed to a timeout work item (called by the sweep under the activation's lock, which the
    /// turn's completion also takes first): such a request is never pooled, as that work item will still touch it.
    /// </summary>
    public void MarkTimeoutPending() => _timeoutPending = true;

    /// <summary>The response timeout expired (called by the runtime's sweep).</summary>
    public void OnTimeout()
    {
        if (!TryClaimCaller())
        {
            return;
        }

        Runtime.Instruments.Timeouts.Add(1);
        if (IsStarted && Runtime.CancelRequestOnTimeout)
        {
            CancelCallee();
        }

        CompleteClaimedCaller(new TimeoutException(
            $"Response did not arrive on time in {Timeout} for message: {Method} on {Target.GrainId}."));
    }

    /// <summary>Completes the caller once; false if it already had an outcome.</summary>
    public bool TryCompleteCaller(Exception? exception)
    {
        if (!TryClaimCaller())
        {
            return false;
        }

        CompleteClaimedCaller(exception);
        return true;
    }

    private bool TryClaimCaller() => Interlocked.Exchange(ref _callerCompleted, 1) == 0;

    private void CompleteClaimedCaller(Exception? exception)
    {
        if (_hasCallerRegistration)
        {
            _callerRegistration.Unregister();
        }

        SignalCaller(exception);
        if (!IsStarted)
        {
            StopActivity(exception);
        }
    }

    /// <summary>Invokes the body for the filter chain.</summary>
    protected abstract ValueTask InvokeBodyAsync(object grain, CancellationToken cancellationToken);

    /// <summary>Invokes the body and calls <see cref="Finish"/> once it has completed (at once if it did synchronously).</summary>
    protected abstract void StartBody(object grain);

    protected abstract void SignalCaller(Exception? exception);

    private async Task AwaitAsync(Task pending)
    {
        Exception? error = null;
        try
        {
            await pending.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Any exception belongs to the caller.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error = ex;
        }

        Finish(error);
    }

    /// <summary>Ends the turn and answers the caller (unless a timeout or cancellation already did).</summary>
    protected void Finish(Exception? exception)
    {
        if (exception is null && !HasResponse && !IsCallerCompleted)
        {
            exception = new InvalidOperationException(
                $"The grain call filter chain is broken for {Method}: no filter called Invoke() or set Result.");
        }

        Activation!.OnRequestCompleted(this);

        // The caller's continuation may run inline: it must not see this activation's context.
        var previousContext = SynchronizationContext.Current;
        var previousGrain = RuntimeContext.Set(null);
        SynchronizationContext.SetSynchronizationContext(null);
        var pooled = false;
        try
        {
            if (TryClaimCaller())
            {
                // Poolable only if no one else can still reach this request: the caller's cancellation callback is
                // removed before it ran (Unregister is false if it ran or is running), no timeout work item holds it
                // (marked under the activation lock that OnRequestCompleted took above), no filter or activity saw it.
                pooled = !_usedFilters && !_timeoutPending && _activity is null && (!_hasCallerRegistration || _callerRegistration.Unregister());
                if (!pooled && _hasCallerRegistration)
                {
                    _callerRegistration.Unregister();
                }

                ReturnToPoolOnResult = pooled;

                // After this the caller may read the outcome and reuse the request: touch nothing when pooled.
                SignalCaller(exception);
            }
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previousContext);
            RuntimeContext.Set(previousGrain);
        }

        if (!pooled)
        {
            // The source is not disposed: the callee may still hold its token (it has no timer or wait handle to free).
            StopActivity(exception);
        }
    }

    private void OnCallerCancelled()
    {
        // Claim first: the exception is only built for a caller that is still waiting.
        if (!TryClaimCaller())
        {
            return;
        }

        CompleteClaimedCaller(new OperationCanceledException("The caller cancelled the grain call."));
        if (Activation is { } activation && activation.RemoveWaiting(this))
        {
            return;
        }

        CancelCallee();
    }

    private void CancelCallee()
    {
        try
        {
            Cts.Cancel();
        }
#pragma warning disable CA1031 // A callee's cancellation callback failing must not break the runtime.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            GrainsLog.CancellationCallbackFailed(Runtime.Logger, Target.GrainId, ex);
        }
    }

    private void StopActivity(Exception? exception)
    {
        var activity = Interlocked.Exchange(ref _activity, null);
        if (activity is null)
        {
            return;
        }

        if (exception is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, exception.Message);
            activity.SetTag("exception.type", exception.GetType().FullName);
        }

        activity.Stop();
    }
}
