using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using OrleansRpc.Grains.Catalog;
using OrleansRpc.Grains.Diagnostics;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Messaging;

/// <summary>
/// One grain call: the queued message, the turn that runs it, the filter context and the caller's completion
/// source, all in one object so a call costs one allocation.
/// </summary>
internal abstract class GrainRequest : IIncomingGrainCallContext, IInvokable
{
    internal static readonly SendOrPostCallback RunCallback = static state => ((GrainRequest)state!).Run();

    private int _callerCompleted;
    private int _filterIndex;
    private CancellationTokenRegistration _callerRegistration;
    private Activity? _activity;

    protected GrainRequest(GrainRuntime runtime, GrainReference target, GrainMethod method, TimeSpan timeout)
    {
        Runtime = runtime;
        Target = target;
        Method = method;
        Timeout = timeout;
        Deadline = runtime.TimestampAfter(timeout);
        // Never pooled: the callee may keep its token past the call (a background task, a stream producer), and a
        // reused source would hand it some later call's cancellation.
        Cts = new CancellationTokenSource();
        SourceId = RuntimeContext.Current?.GrainId;
        if (GrainsDiagnostics.ActivitySource.HasListeners())
        {
            _activity = GrainsDiagnostics.StartCallActivity(this);
        }
    }

    public GrainRuntime Runtime { get; }

    public GrainReference Target { get; }

    public GrainMethod Method { get; }

    public TimeSpan Timeout { get; }

    /// <summary>The timestamp (TimeProvider units) after which the caller gets a TimeoutException.</summary>
    public long Deadline { get; }

    public CancellationTokenSource Cts { get; }

    /// <summary>Set when queued on an activation.</summary>
    public ActivationData? Activation { get; set; }

    /// <summary>Set (under the activation lock) when the turn is scheduled.</summary>
    public bool IsStarted { get; set; }

    /// <summary>The caller allows the turn to run on its own thread (<see cref="GrainCallOptions.AllowInlineExecution"/>).</summary>
    public bool AllowInline { get; init; }

    /// <summary>Started by the activation but not yet posted to its scheduler (inline execution).</summary>
    public bool InlineStartPending { get; set; }

    /// <summary>Internal runtime calls (enumerator steps) skip call filters.</summary>
    public bool BypassFilters { get; init; }

    /// <summary>Whether the caller already has its outcome (result, error, timeout or cancellation).</summary>
    public bool IsCallerCompleted => Volatile.Read(ref _callerCompleted) != 0;

    protected bool HasResponse { get; set; }

    // ---- IIncomingGrainCallContext ----

    public IInvokable Request => this;

    public object Grain => Activation?.GrainInstance ?? throw new InvalidOperationException("The call has not reached an activation.");

    public GrainId? SourceId { get; }

    public GrainId TargetId => Target.GrainId;

    public string InterfaceName => Method.InterfaceName;

    public string MethodName => Method.MethodName;

    public MethodInfo InterfaceMethod => Method.InterfaceMethod;

    public abstract object? Result { get; set; }

    public CancellationToken CancellationToken => Cts.Token;

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

        return InvokeBodyAsync(Activation!.GrainInstance!, Cts.Token).AsTask();
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

    /// <summary>Runs the call on its activation's scheduler.</summary>
    public void Run()
    {
        if (IsCallerCompleted)
        {
            // The caller gave up before the turn began: drop it, as Orleans drops expired messages.
            Finish(null);
            return;
        }

        var previousActivity = _activity is null ? null : Activity.Current;
        if (_activity is not null)
        {
            Activity.Current = _activity;
        }

        try
        {
            ValueTask pending;
            try
            {
                var activation = Activation!;
                pending = !BypassFilters && (Runtime.HasFilters || activation.ClassInfo.IsCallFilter)
                    ? new ValueTask(Invoke())
                    : InvokeBodyAsync(activation.GrainInstance!, Cts.Token);
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
            if (_activity is not null)
            {
                Activity.Current = previousActivity;
            }
        }
    }

    public void RegisterCallerCancellation(CancellationToken cancellationToken) =>
        _callerRegistration = cancellationToken.UnsafeRegister(static s => ((GrainRequest)s!).OnCallerCancelled(), this);

    /// <summary>The response timeout expired (called by the runtime's sweep).</summary>
    public void OnTimeout()
    {
        var exception = new TimeoutException(
            $"Response did not arrive on time in {Timeout} for message: {Method} on {Target.GrainId}.");
        if (!TryClaimCaller())
        {
            return;
        }

        Runtime.Instruments.Timeouts.Add(1);
        if (IsStarted && Runtime.CancelRequestOnTimeout)
        {
            CancelCallee();
        }

        CompleteClaimedCaller(exception);
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
        _callerRegistration.Unregister();
        SignalCaller(exception);
        if (!IsStarted)
        {
            StopActivity(exception);
        }
    }

    protected abstract ValueTask InvokeBodyAsync(object grain, CancellationToken cancellationToken);

    protected abstract void SignalCaller(Exception? exception);

    private async Task AwaitAsync(ValueTask pending)
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

    private void Finish(Exception? exception)
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
        try
        {
            TryCompleteCaller(exception);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previousContext);
            RuntimeContext.Set(previousGrain);
        }

        // The source is not disposed: the callee may still hold its token (it has no timer or wait handle to free).
        StopActivity(exception);
    }

    private void OnCallerCancelled()
    {
        if (!TryCompleteCaller(new OperationCanceledException("The caller cancelled the grain call.")))
        {
            return;
        }

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
