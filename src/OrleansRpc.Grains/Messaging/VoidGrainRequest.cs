using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Messaging;

/// <summary>A call to a method returning no value; the request is also the caller's <see cref="IValueTaskSource"/>.</summary>
internal sealed class VoidGrainRequest<TGrain, TState> : GrainRequest, IValueTaskSource
    where TGrain : class
{
    private Func<TGrain, TState, CancellationToken, ValueTask> _body = null!;
    private TState _state = default!;
    private ValueTask _pendingBody;
    private Action? _onBodyCompleted;
    private ManualResetValueTaskSourceCore<bool> _core;

    private VoidGrainRequest()
    {
    }

    /// <summary>Always null for a void method; setting it (to anything) short-circuits the call.</summary>
    public override object? Result
    {
        get => null;
        set => HasResponse = true;
    }

    protected override object? BoxedState
    {
        get => _state;
        set => _state = (TState)value!;
    }

    /// <summary>A pooled (or new) request set up for one call.</summary>
    public static VoidGrainRequest<TGrain, TState> Rent(
        GrainRuntime runtime,
        GrainReference target,
        GrainMethod method,
        TimeSpan timeout,
        TState state,
        Func<TGrain, TState, CancellationToken, ValueTask> body,
        bool allowInline = false,
        bool bypassFilters = false)
    {
        var request = GrainRequestPool<VoidGrainRequest<TGrain, TState>>.TryRent() ?? new VoidGrainRequest<TGrain, TState>();
        request._state = state;
        request._body = body;
        request.Initialize(runtime, target, method, timeout, allowInline, bypassFilters);
        return request;
    }

    public ValueTask AsValueTask() => new(this, _core.Version);

    public void GetResult(short token)
    {
        try
        {
            _core.GetResult(token);
        }
        finally
        {
            // The outcome has been read (or thrown): nothing else can reach a request the turn marked poolable.
            if (ReturnToPoolOnResult && token == _core.Version)
            {
                ResetBase();
                _state = default!;
                _body = null!;
                _core.Reset();
                GrainRequestPool<VoidGrainRequest<TGrain, TState>>.Return(this);
            }
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    protected override void StartBody(object grain)
    {
        ValueTask pending;
        try
        {
            pending = _body((TGrain)grain, _state, CalleeToken);
        }
#pragma warning disable CA1031 // Any exception belongs to the caller.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Finish(ex);
            return;
        }

        if (pending.IsCompleted)
        {
            CompleteBody(pending);
            return;
        }

        // No state machine: the body's own awaiter calls back (without flowing the execution context; the
        // caller's continuation captured its own).
        _pendingBody = pending;
        pending.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onBodyCompleted ??= OnBodyCompleted);
    }

    protected override ValueTask InvokeBodyAsync(object grain, CancellationToken cancellationToken)
    {
        var pending = _body((TGrain)grain, _state, cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            HasResponse = true;
            return default;
        }

        return AwaitBodyAsync(pending);
    }

    protected override void SignalCaller(Exception? exception)
    {
        if (exception is null)
        {
            _core.SetResult(true);
        }
        else
        {
            _core.SetException(exception);
        }
    }

    private void OnBodyCompleted()
    {
        var pending = _pendingBody;
        _pendingBody = default;
        CompleteBody(pending);
    }

    private void CompleteBody(ValueTask pending)
    {
        Exception? error = null;
        try
        {
            pending.GetAwaiter().GetResult();
            HasResponse = true;
        }
#pragma warning disable CA1031 // Any exception belongs to the caller.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error = ex;
        }

        Finish(error);
    }

    // Filter path only. Pooled: the turn awaits it exactly once (GetResult returns the box for the next call).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitBodyAsync(ValueTask pending)
    {
        await pending.ConfigureAwait(false);
        HasResponse = true;
    }
}
