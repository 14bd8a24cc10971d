using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Messaging;

/// <summary>A call to a method returning a value; the request is also the caller's <see cref="IValueTaskSource{TResult}"/>.</summary>
internal sealed class GrainRequest<TGrain, TState, TResult> : GrainRequest, IValueTaskSource<TResult>
    where TGrain : class
{
    private Func<TGrain, TState, CancellationToken, ValueTask<TResult>> _body = null!;
    private TState _state = default!;
    private TResult? _result;
    private ValueTask<TResult> _pendingBody;
    private Action? _onBodyCompleted;
    private ManualResetValueTaskSourceCore<TResult> _core;

    private GrainRequest()
    {
    }

    public override object? Result
    {
        get => HasResponse ? _result : null;
        set
        {
            _result = (TResult)value!;
            HasResponse = true;
        }
    }

    protected override object? BoxedState
    {
        get => _state;
        set => _state = (TState)value!;
    }

    /// <summary>A pooled (or new) request set up for one call.</summary>
    public static GrainRequest<TGrain, TState, TResult> Rent(
        GrainRuntime runtime,
        GrainReference target,
        GrainMethod method,
        TimeSpan timeout,
        TState state,
        Func<TGrain, TState, CancellationToken, ValueTask<TResult>> body,
        bool allowInline = false,
        bool bypassFilters = false)
    {
        var request = GrainRequestPool<GrainRequest<TGrain, TState, TResult>>.TryRent() ?? new GrainRequest<TGrain, TState, TResult>();
        request._state = state;
        request._body = body;
        request.Initialize(runtime, target, method, timeout, allowInline, bypassFilters);
        return request;
    }

    public ValueTask<TResult> AsValueTask() => new(this, _core.Version);

    public TResult GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            // The outcome has been read (or thrown): nothing else can reach a request the turn marked poolable.
            if (ReturnToPoolOnResult && token == _core.Version)
            {
                ResetBase();
                _state = default!;
                _result = default;
                _body = null!;
                _core.Reset();
                GrainRequestPool<GrainRequest<TGrain, TState, TResult>>.Return(this);
            }
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    protected override void StartBody(object grain)
    {
        ValueTask<TResult> pending;
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
            _result = pending.Result;
            HasResponse = true;
            return default;
        }

        return AwaitBodyAsync(pending);
    }

    protected override void SignalCaller(Exception? exception)
    {
        if (exception is null)
        {
            _core.SetResult(_result!);
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

    private void CompleteBody(ValueTask<TResult> pending)
    {
        Exception? error = null;
        try
        {
            _result = pending.GetAwaiter().GetResult();
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
    private async ValueTask AwaitBodyAsync(ValueTask<TResult> pending)
    {
        _result = await pending.ConfigureAwait(false);
        HasResponse = true;
    }
}
