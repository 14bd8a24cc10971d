using System.Buffers;
using Microsoft.Extensions.Logging;
using OrleansRpc.Protocol.Errors;

namespace OrleansRpc.Server;

/// <summary>
/// The gateway's end of a running async generator: the enumerator of its host grain's streaming method
/// (<see cref="IRapGeneratorHost.RunGeneratorAsync"/>). Orleans pulls chunks of encoded items on demand (every chunk
/// that is ready travels in one response); the next pull is started as soon as a chunk is taken, so the generator
/// produces while the gateway sends, and runs at most one pull ahead of what the gateway has read. The gateway
/// takes items with <see cref="MoveNextAsync"/> (0.5.3.8: one per call_id request) or with
/// <see cref="WaitForItemsAsync"/> + <see cref="ReadReady{TState}"/> (HEAD: every ready item at once). Dispose it when
/// the client is gone or the connection closes: that cancels the generator in its grain and disposes it there.
/// </summary>
internal sealed class RapGeneratorStream : IAsyncDisposable
{
    private static long s_nextId;
    private static readonly Task<bool> s_more = Task.FromResult(true);
    private static readonly Task<bool> s_end = Task.FromResult(false);

    private readonly CancellationTokenSource _cancel;
    private readonly IAsyncEnumerator<RapGeneratorChunk> _enumerator;
    private RapGeneratorChunk? _current;
    private int _currentIndex;
    private RapGeneratorChunk? _stashed;
    private bool _completed;
    private Task<bool>? _inflight;
    private RapCallResult _failure;
    private long _received;
    private int _disposed;

    internal RapGeneratorStream(IRapGeneratorHost host, RapInvocation invocation, string functionName, int batchesAhead, CancellationToken cancellationToken)
    {
        Id = Interlocked.Increment(ref s_nextId);
        FunctionName = functionName;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var items = host.RunGeneratorAsync(invocation, _cancel.Token);
        _enumerator = Orleans.Runtime.AsyncEnumerableExtensions.WithBatchSize(items, Math.Max(1, batchesAhead)).GetAsyncEnumerator(_cancel.Token);
    }

    /// <summary>A process-wide unique id, never 0 or −1: usable as the 0.5.3.8 <c>call_id</c>.</summary>
    public long Id { get; }

    public string FunctionName { get; }

    /// <summary>The error answer after <see cref="RapGeneratorStep.Failed"/>.</summary>
    public RapCallResult Failure => _failure;

    /// <summary>Number of items received from the grain so far.</summary>
    public long Received => Volatile.Read(ref _received);

    /// <summary>Observers' scope of this generator (<see cref="IRapDispatchObserver"/>), ended when the stream is disposed.</summary>
    internal IDisposable? Observation { get; set; }

    /// <summary>Waits for the next item and writes its msgpack encoding to <paramref name="output"/>.</summary>
    public async ValueTask<RapGeneratorStep> MoveNextAsync(IBufferWriter<byte> output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        RapGeneratorStep step = await WaitForItemsAsync(cancellationToken).ConfigureAwait(false);
        if (step == RapGeneratorStep.Item)
        {
            output.Write(_current![_currentIndex]);
            Advance();
        }

        return step;
    }

    /// <summary>
    /// Waits until at least one item is ready (<see cref="RapGeneratorStep.Item"/>: take them with
    /// <see cref="ReadReady{TState}"/>), or the generator has ended (<see cref="RapGeneratorStep.Completed"/>, or
    /// <see cref="RapGeneratorStep.Failed"/> with <see cref="Failure"/>). Synchronous when an item is ready.
    /// </summary>
    public ValueTask<RapGeneratorStep> WaitForItemsAsync(CancellationToken cancellationToken = default)
        => _current is not null ? new(RapGeneratorStep.Item) : WaitSlowAsync(cancellationToken);

    /// <summary>
    /// Hands every item that is ready, in order and without waiting, to <paramref name="write"/> (each item is one msgpack
    /// value), until nothing more is ready, at least <paramref name="maxBytes"/> bytes were handed out, or
    /// <paramref name="write"/> returns false (that item counts as read). Returns false when <paramref name="write"/>
    /// did. Not thread-safe: one reader.
    /// </summary>
    public bool ReadReady<TState>(TState state, Func<TState, ReadOnlySpan<byte>, bool> write, int maxBytes = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(write);
        var bytes = 0;
        while (bytes < maxBytes && (_current is not null || TryTakeReady()))
        {
            ReadOnlySpan<byte> item = _current![_currentIndex];
            bytes += item.Length;
            bool more = write(state, item);
            Advance();
            if (!more)
            {
                return false;
            }
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _cancel.CancelAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _inflight) is { } inflight)
        {
            // The enumerator may be disposed only once its pending pull has finished (cancelled above).
            await ((Task)inflight).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        try
        {
            await _enumerator.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the grain may be gone with its silo; disposing is best effort
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        _cancel.Dispose();
        Observation?.Dispose();
    }

    /// <summary>Takes the next chunk when its pull has completed (Orleans buffers a response's chunks).</summary>
    private bool TryTakeReady()
    {
        if (_stashed is not null || _completed || Volatile.Read(ref _disposed) != 0)
        {
            return false;
        }

        Task<bool> pull = _inflight ?? StartPull();
        if (!pull.IsCompletedSuccessfully)
        {
            return false; // still running, or failed: the next wait reports it
        }

        _inflight = null;
        return Take(pull.Result);
    }

    /// <summary>Starts the next pull from the grain (at most one at a time).</summary>
    private Task<bool> StartPull()
    {
        ValueTask<bool> move;
        try
        {
            move = _enumerator.MoveNextAsync();
        }
#pragma warning disable CA1031 // surfaces at the next wait
        catch (Exception ex)
#pragma warning restore CA1031
        {
            move = ValueTask.FromException<bool>(ex);
        }

        Task<bool> pull = move.IsCompletedSuccessfully ? (move.Result ? s_more : s_end) : move.AsTask();
        _inflight = pull;
        return pull;
    }

    private bool Take(bool more)
    {
        if (!more)
        {
            _completed = true;
            return false;
        }

        RapGeneratorChunk chunk = _enumerator.Current;
        if (chunk.Failure is not null || chunk.Count == 0)
        {
            _stashed = chunk;
            return false;
        }

        _current = chunk;
        _currentIndex = 0;
        Interlocked.Add(ref _received, chunk.Count);

        // Produce the next chunks while this one is sent (the enumerator is done with the one just taken).
        if (Volatile.Read(ref _disposed) == 0)
        {
            StartPull();
        }

        return true;
    }

    private void Advance()
    {
        if (++_currentIndex == _current!.Count)
        {
            _current = null;
        }
    }

    private async ValueTask<RapGeneratorStep> WaitSlowAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                if (_stashed is { } stashed)
                {
                    _stashed = null;
                    if (stashed.Failure is { } failure)
                    {
                        _failure = failure.ToResult();
                        _completed = true;
                        return RapGeneratorStep.Failed;
                    }

                    continue; // an empty chunk
                }

                if (_completed)
                {
                    return RapGeneratorStep.Completed;
                }

                Task<bool> move = _inflight ?? StartPull();
                bool more = await move.WaitAsync(cancellationToken).ConfigureAwait(false);
                _inflight = null;
                if (Take(more))
                {
                    return RapGeneratorStep.Item;
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The generator's own failures arrive as a failure chunk: this is the grain call failing (silo gone,
            // enumeration aborted). The client gets rap's run-time error; the generator ends.
            _inflight = null;
            _completed = true;
            _failure = ex is OperationCanceledException
                ? RapFunctionExecutor.Cancelled
                : RapCallResult.Status(RapErrorKind.RpcRunTimeError, RapErrorMessages.RpcRunTimeError);
            return RapGeneratorStep.Failed;
        }
    }
}
