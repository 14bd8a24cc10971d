using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using OrleansRpc.MessagePack;
using OrleansRpc.Server.Formatters;

namespace OrleansRpc.Server.Dispatch;

/// <summary>
/// The caller's output buffer as a function sees it, and on the grain path the caller's completion too (one pooled
/// object per call). A function that completes after its call was answered (run timeout) must not write into a buffer
/// the gateway may already have reused: result writes and <see cref="Detach"/> are serialized, and a detached output
/// drops the write. Pooled while calls end normally; a detached one is left to the collector.
/// </summary>
internal sealed class CallOutput : IBufferWriter<byte>, IValueTaskSource<RapCallResult>
{
    private const int MaxPooled = 256;
    private static readonly ConcurrentQueue<CallOutput> s_pool = new();
    private readonly Lock _gate = new();
    private readonly Action _onGrainCallCompleted;
    private IBufferWriter<byte>? _target;
    private bool _detached;

    // The grain call being awaited (grain path, when it did not complete at once).
    private ManualResetValueTaskSourceCore<RapCallResult> _core;
    private ConfiguredValueTaskAwaitable<RapCallResult>.ConfiguredValueTaskAwaiter _grainCall;
    private RapDispatcher? _dispatcher;
    private RapFunctionDescriptor? _function;
    private CancellationToken _cancellation;

    private CallOutput() => _onGrainCallCompleted = OnGrainCallCompleted;

    public static CallOutput Rent(IBufferWriter<byte> target)
    {
        var output = s_pool.TryDequeue(out var pooled) ? pooled : new CallOutput();
        output._target = target;
        return output;
    }

    /// <summary>The call is over and the function is done with the output.</summary>
    public void Return()
    {
        _target = null;
        if (s_pool.Count < MaxPooled)
        {
            s_pool.Enqueue(this);
        }
    }

    /// <summary>The call was answered without the function's result: later writes are dropped. Never pooled again.</summary>
    public void Detach()
    {
        lock (_gate)
        {
            _target = null;
            _detached = true;
        }
    }

    /// <summary>
    /// The caller's task for a grain call: the grain call's outcome mapped by <see cref="RapDispatcher.EndGrainCall"/>.
    /// Completes at once when the grain call has; otherwise this object is the task's source and goes back to the pool
    /// when the caller has read the result.
    /// </summary>
    public ValueTask<RapCallResult> AwaitGrainCall(RapDispatcher dispatcher, RapFunctionDescriptor function, ValueTask<RapCallResult> grainCall, CancellationToken cancellationToken)
    {
        var awaiter = grainCall.ConfigureAwait(false).GetAwaiter();
        if (awaiter.IsCompleted)
        {
            var result = dispatcher.EndGrainCall(this, function, awaiter, cancellationToken);
            if (!_detached)
            {
                Return();
            }

            return new(result);
        }

        _dispatcher = dispatcher;
        _function = function;
        _cancellation = cancellationToken;
        _grainCall = awaiter;
        var version = _core.Version;
        awaiter.UnsafeOnCompleted(_onGrainCallCompleted);
        return new(this, version);
    }

    /// <summary>Writes a result, unless the call was abandoned meanwhile.</summary>
    public void WriteLate<T>(T value, RapFormatter<T>? formatter)
    {
        lock (_gate)
        {
            if (_target is not { } target)
            {
                return;
            }

            var writer = new MessagePackWriter(target);
            if (formatter is null)
            {
                writer.WriteNil();
            }
            else
            {
                formatter.Write(ref writer, value);
            }

            writer.Flush();
        }
    }

    /// <summary>Copies an encoded result produced elsewhere, unless the call was abandoned meanwhile.</summary>
    public void WriteCopy(ReadOnlySpan<byte> encoded)
    {
        lock (_gate)
        {
            _target?.Write(encoded);
        }
    }

    public void Advance(int count) => Target.Advance(count);

    public Memory<byte> GetMemory(int sizeHint = 0) => Target.GetMemory(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => Target.GetSpan(sizeHint);

    public RapCallResult GetResult(short token)
    {
        var result = _core.GetResult(token);
        _core.Reset();
        if (!_detached)
        {
            Return();
        }

        return result;
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);

    private void OnGrainCallCompleted()
    {
        var awaiter = _grainCall;
        var dispatcher = _dispatcher!;
        var function = _function!;
        var cancellation = _cancellation;
        _grainCall = default;
        _dispatcher = null;
        _function = null;
        _cancellation = default;

        // The caller's continuation may run inline and return this object to the pool: nothing after SetResult.
        _core.SetResult(dispatcher.EndGrainCall(this, function, awaiter, cancellation));
    }

    private IBufferWriter<byte> Target => _target ?? throw new InvalidOperationException("the call's output was detached");
}
