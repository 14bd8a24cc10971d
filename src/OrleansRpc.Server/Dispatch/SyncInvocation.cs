using System.Buffers;
using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Dispatch;

/// <summary>
/// One synchronous (def-style) call run as a thread-pool work item and raced against the run timeout: the caller is
/// answered at the deadline even while the function still blocks, as rap abandons its worker thread. The result is
/// encoded into a private buffer and copied to the caller's only when the call finished in time, so a late function
/// never writes into a buffer that was reused meanwhile. Pooled; the caller and the worker each release it once and
/// the second release returns it to the pool.
/// </summary>
internal sealed class SyncInvocation : IThreadPoolWorkItem, IValueTaskSource<RapCallResult>
{
    private const int Running = 0, Completed = 1, Abandoned = 2;
    private static readonly ConcurrentQueue<SyncInvocation> s_pool = new();
    private static readonly Action<object?> s_onTimeout = static s => ((SyncInvocation)s!).TimeOut();

    private readonly PooledBufferWriter _buffer = new(256);
    private ManualResetValueTaskSourceCore<RapCallResult> _core = new() { RunContinuationsAsynchronously = true };
    private RapFunctionExecutor? _dispatcher;
    private RapFunctionDescriptor? _function;
    private RapCallContext? _context;
    private RapArguments _arguments;
    private int _state;
    private int _releases;

    public RapFunctionDescriptor Function => _function!;

    public RapCallContext Context => _context!;

    public RapArguments Arguments => _arguments;

    /// <summary>Where the function's result is encoded: a private buffer, copied to the caller's when in time.</summary>
    public IBufferWriter<byte> Buffer => _buffer;

    /// <summary>True when the deadline won the race (valid for the caller until it releases).</summary>
    public bool TimedOut => Volatile.Read(ref _state) == Abandoned;

    public static SyncInvocation Rent(RapFunctionExecutor dispatcher, RapFunctionDescriptor function, RapCallContext context, RapArguments arguments)
    {
        var item = s_pool.TryDequeue(out var pooled) ? pooled : new SyncInvocation();
        item._dispatcher = dispatcher;
        item._function = function;
        item._context = context;
        item._arguments = arguments;
        item._state = Running;
        item._releases = 0;
        return item;
    }

    /// <summary>Queues the call; the returned task completes with its result, or at <paramref name="deadline"/>.</summary>
    public ValueTask<RapCallResult> Start(CancellationToken deadline, out CancellationTokenRegistration registration)
    {
        var version = _core.Version;
        registration = deadline.UnsafeRegister(s_onTimeout, this);
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        return new ValueTask<RapCallResult>(this, version);
    }

    /// <summary>Caller: copies the encoded result (when the call finished in time) and releases its share.</summary>
    public void Finish(IBufferWriter<byte> output, bool copy)
    {
        if (copy)
        {
            output.Write(_buffer.WrittenSpan);
        }

        Release();
    }

    public void Execute()
    {
        if (Volatile.Read(ref _state) == Abandoned)
        {
            // Answered before it even started (a starved pool): do not run it on arguments the caller no longer owns.
            Release();
            return;
        }

        var result = _dispatcher!.RunSynchronous(this);
        if (Interlocked.CompareExchange(ref _state, Completed, Running) == Running)
        {
            _core.SetResult(result);
        }

        // A late result (the caller already got the timeout) is simply dropped here.
        Release();
    }

    public RapCallResult GetResult(short token)
    {
        return _core.GetResult(token);
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);

    private void TimeOut()
    {
        if (Interlocked.CompareExchange(ref _state, Abandoned, Running) == Running)
        {
            _core.SetResult(default);
        }
    }

    private void Release()
    {
        if (Interlocked.Increment(ref _releases) != 2)
        {
            return;
        }

        _dispatcher = null;
        _function = null;
        _context = null;
        _arguments = default;
        _buffer.Reset();
        _core.Reset();
        if (s_pool.Count < 256)
        {
            s_pool.Enqueue(this);
        }
        else
        {
            _buffer.Dispose();
        }
    }
}
