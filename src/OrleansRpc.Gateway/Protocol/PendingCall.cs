using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Connections;
using OrleansRpc.Server;

namespace OrleansRpc.Gateway.Protocol;

/// <summary>
/// One unary call between the protocol and the dispatcher: holds the copied arguments and the result buffer,
/// awaits the dispatcher's (pooled) <see cref="ValueTask{TResult}"/> without an async state machine of its own,
/// answers through the protocol and goes back to a pool, so the gateway adds no per-call allocation of its own.
/// </summary>
internal sealed class PendingCall
{
    private const int MaxPooled = 1024;
    private const int MaxKeptBufferBytes = 64 * 1024;
    private const int MaxKeptArgumentBytes = 4 * 1024;
    private static readonly ConcurrentQueue<PendingCall> s_pool = new();
    private static int s_pooled;

    private readonly Action _onCompleted;
    private PooledBufferWriter _output = new(256);
    private RapProtocolHandler? _owner;

    // Kept with the pooled call (up to MaxKeptArgumentBytes): renting per call from the shared pool would return
    // the array on the completing thread, which misses the renting thread's cache.
    private byte[] _arguments = [];
    private bool _argumentsRented;
    private long _token;
    private ConfiguredValueTaskAwaitable<RapCallResult>.ConfiguredValueTaskAwaiter _awaiter;

    private PendingCall() => _onCompleted = OnCompleted;

    /// <summary>Copies the request's arguments (valid only during the protocol callback) and starts the call.</summary>
    public static void Start(RapProtocolHandler owner, RapDispatcher dispatcher, RapFunctionDescriptor function, RapCallContext context, in RapCallRequest request, CancellationToken connectionClosed)
    {
        PendingCall call = Rent();
        call._owner = owner;
        call._token = request.Token;
        RapArguments arguments = call.CopyArguments(request);
        ValueTask<RapCallResult> pending;
        try
        {
            pending = dispatcher.InvokeAsync(function, context, arguments, call._output, connectionClosed);
        }
        catch (Exception ex)
        {
            call.Finish(default, ex);
            return;
        }

        if (pending.IsCompleted)
        {
            call.Complete(pending.ConfigureAwait(false).GetAwaiter());
            return;
        }

        call._awaiter = pending.ConfigureAwait(false).GetAwaiter();
        call._awaiter.UnsafeOnCompleted(call._onCompleted);
    }

    private static PendingCall Rent()
    {
        if (s_pool.TryDequeue(out PendingCall? call))
        {
            Interlocked.Decrement(ref s_pooled);
            return call;
        }

        return new PendingCall();
    }

    private RapArguments CopyArguments(in RapCallRequest request)
    {
        int p = checked((int)request.Positional.Length);
        int k = checked((int)request.Keywords.Length);
        int needed = p + k;
        if (needed > _arguments.Length)
        {
            if (needed > MaxKeptArgumentBytes)
            {
                _arguments = ArrayPool<byte>.Shared.Rent(needed);
                _argumentsRented = true;
            }
            else
            {
                _arguments = GC.AllocateUninitializedArray<byte>((int)Math.Min(MaxKeptArgumentBytes, Math.Max(64, BitOperations.RoundUpToPowerOf2((uint)needed))));
            }
        }

        request.Positional.CopyTo(_arguments);
        request.Keywords.CopyTo(_arguments.AsSpan(p));
        var keywords = new ReadOnlySequence<byte>(_arguments, p, k);
        return request.Version == RapVersion.Head
            ? RapArguments.Head(keywords)
            : RapArguments.Legacy(new ReadOnlySequence<byte>(_arguments, 0, p), keywords);
    }

    private void OnCompleted()
    {
        ConfiguredValueTaskAwaitable<RapCallResult>.ConfiguredValueTaskAwaiter awaiter = _awaiter;
        _awaiter = default;
        Complete(awaiter);
    }

    private void Complete(ConfiguredValueTaskAwaitable<RapCallResult>.ConfiguredValueTaskAwaiter awaiter)
    {
        RapCallResult result;
        try
        {
            result = awaiter.GetResult(); // exactly once: the dispatcher's ValueTask may be pooled
        }
        catch (Exception ex)
        {
            Finish(default, ex);
            return;
        }

        Finish(result, null);
    }

    private void Finish(RapCallResult result, Exception? failure)
    {
        RapProtocolHandler owner = _owner!;
        try
        {
            owner.AnswerCall(_token, result, _output.WrittenSpan, failure);
        }
        finally
        {
            Release();
            owner.CallEnded();
        }
    }

    private void Release()
    {
        _owner = null;
        if (_argumentsRented)
        {
            ArrayPool<byte>.Shared.Return(_arguments); // a large call: do not keep its buffer in the pool
            _arguments = [];
            _argumentsRented = false;
        }

        if (_output.FreeCapacity + _output.WrittenCount > MaxKeptBufferBytes)
        {
            _output.Dispose(); // a large result: do not keep its buffer in the pool
            _output = new PooledBufferWriter(256);
        }
        else
        {
            _output.Reset();
        }

        if (Interlocked.Increment(ref s_pooled) <= MaxPooled)
        {
            s_pool.Enqueue(this);
        }
        else
        {
            Interlocked.Decrement(ref s_pooled);
            _output.Dispose();
        }
    }
}
