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
/// One unary call between the protocol and the dispatcher: holds the result buffer,
/// awaits the dispatcher's (pooled) <see cref="ValueTask{TResult}"/> without an async state machine of its own,
/// answers through the protocol and goes back to a pool, so the gateway adds no per-call allocation of its own.
/// </summary>
internal sealed class PendingCall
{
    private const int MaxPooled = 1024;
    private const int MaxKeptBufferBytes = 64 * 1024;
    private static readonly ConcurrentQueue<PendingCall> s_pool = new();
    private static int s_pooled;

    private readonly Action _onCompleted;
    private PooledBufferWriter _output = new(256);
    private RapProtocolHandler? _owner;

    private long _token;
    private ConfiguredValueTaskAwaitable<RapCallResult>.ConfiguredValueTaskAwaiter _awaiter;

    private PendingCall() => _onCompleted = OnCompleted;

    /// <summary>Copies the request's arguments (valid only during the protocol callback) and starts the call.</summary>
    public static void Start(RapProtocolHandler owner, RapDispatcher dispatcher, RapFunctionDescriptor function, RapCallContext context, in RapCallRequest request, CancellationToken connectionClosed)
    {
        PendingCall call = Rent();
        call._owner = owner;
        call._token = request.Token;
        // Read (and copied into the grain call) before this returns: the request's slices are valid only until then.
        RapArguments arguments = RapArguments.From(request);
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

    /// <summary>A call that joins a batch: answered later by <see cref="FinishWith"/>.</summary>
    public static PendingCall ForBatch(RapProtocolHandler owner, long token)
    {
        PendingCall call = Rent();
        call._owner = owner;
        call._token = token;
        return call;
    }

    /// <summary>Answers a batched call with its grain's reply.</summary>
    public void FinishWith(RapReply reply)
    {
        if (reply.Outcome == RapCallOutcome.Success)
        {
            _output.Write(reply.Result);
        }

        Finish(reply.ToResult(), null);
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
