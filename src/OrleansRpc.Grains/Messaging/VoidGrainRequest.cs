using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Messaging;

/// <summary>A call to a method returning no value; the request is also the caller's <see cref="IValueTaskSource"/>.</summary>
internal sealed class VoidGrainRequest<TGrain, TState> : GrainRequest, IValueTaskSource
    where TGrain : class
{
    private readonly Func<TGrain, TState, CancellationToken, ValueTask> _body;
    private TState _state;
    private ManualResetValueTaskSourceCore<bool> _core;

    public VoidGrainRequest(
        GrainRuntime runtime,
        GrainReference target,
        GrainMethod method,
        TimeSpan timeout,
        TState state,
        Func<TGrain, TState, CancellationToken, ValueTask> body)
        : base(runtime, target, method, timeout)
    {
        _state = state;
        _body = body;
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

    public ValueTask AsValueTask() => new(this, _core.Version);

    public void GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

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

    // Pooled: the turn awaits it exactly once (GetResult returns the box for the next call).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitBodyAsync(ValueTask pending)
    {
        await pending.ConfigureAwait(false);
        HasResponse = true;
    }
}
