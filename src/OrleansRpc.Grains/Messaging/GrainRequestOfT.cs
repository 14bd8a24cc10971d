using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Messaging;

/// <summary>A call to a method returning a value; the request is also the caller's <see cref="IValueTaskSource{TResult}"/>.</summary>
internal sealed class GrainRequest<TGrain, TState, TResult> : GrainRequest, IValueTaskSource<TResult>
    where TGrain : class
{
    private readonly Func<TGrain, TState, CancellationToken, ValueTask<TResult>> _body;
    private TState _state;
    private TResult? _result;
    private ManualResetValueTaskSourceCore<TResult> _core;

    public GrainRequest(
        GrainRuntime runtime,
        GrainReference target,
        GrainMethod method,
        TimeSpan timeout,
        TState state,
        Func<TGrain, TState, CancellationToken, ValueTask<TResult>> body)
        : base(runtime, target, method, timeout)
    {
        _state = state;
        _body = body;
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

    public ValueTask<TResult> AsValueTask() => new(this, _core.Version);

    public TResult GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

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

    // Pooled: the turn awaits it exactly once (GetResult returns the box for the next call).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitBodyAsync(ValueTask<TResult> pending)
    {
        _result = await pending.ConfigureAwait(false);
        HasResponse = true;
    }
}
