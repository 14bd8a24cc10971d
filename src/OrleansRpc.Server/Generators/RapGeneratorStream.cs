using System.Buffers;
using System.Runtime.CompilerServices;
using OrleansRpc.Grains.Runtime;
using OrleansRpc.Grains.Streams;

namespace OrleansRpc.Server;

/// <summary>
/// A running async generator: the user's <see cref="IAsyncEnumerable{T}"/> is produced on its own task into a grain
/// stream (<see cref="IAsyncStream{T}"/> of <see cref="RapGeneratorBatch"/>es, memory provider
/// <see cref="RapStreams.ProviderName"/>), and the gateway takes items with <see cref="MoveNextAsync"/> (0.5.3.8: one
/// per call_id request) or with <see cref="WaitForItemsAsync"/> + <see cref="ReadReady{TState}"/> (HEAD: every ready
/// item at once, as fast as the connection drains).
/// <para>
/// The producer encodes the items that are ready without waiting (the user's <c>MoveNextAsync</c> completes
/// synchronously) into one pooled batch, up to <see cref="RapServerOptions.GeneratorBatchSize"/> items or
/// <see cref="RapServerOptions.GeneratorBatchBytes"/> bytes, and publishes it as one stream event; an item that took a
/// wait is published at once, and so is a partial batch when the generator starts to wait, so batching never delays
/// an item. The reader subscribes before the producer starts, with a bounded buffer of
/// <see cref="RapServerOptions.GeneratorBufferCapacity"/> batches: when it is full the producer's <c>OnNextAsync</c>
/// waits, so a stalled client stalls the generator instead of growing memory. An exception inside the generator
/// reaches the stream as <c>OnErrorAsync</c> and surfaces as <see cref="RapGeneratorStep.Failed"/> with
/// <see cref="Failure"/> (HEAD: 301 frame; 0.5.3.8: exc body), after the items produced before it.
/// </para>
/// Dispose it when the client is gone or the connection closes: that cancels the producer (its own token source,
/// never a grain call's) and disposes the user's enumerator.
/// </summary>
public sealed class RapGeneratorStream : IAsyncDisposable
{
    private static long s_nextId;

    private readonly IAsyncStream<RapGeneratorBatch> _stream;
    private readonly StreamSubscriptionReader<RapGeneratorBatch> _reader;
    private readonly CancellationTokenSource _cancel;
    private readonly RapItemSource _source;
    private readonly int _batchItems;
    private readonly int _batchBytes;
    private readonly Task _producer;
    private RapGeneratorBatch? _current;
    private int _currentIndex;
    private RapCallResult _failure;
    private long _produced;
    private int _disposed;

    internal RapGeneratorStream(RapItemSource source, RapCallContext context, CancellationTokenSource cancel, IStreamProvider streams, RapServerOptions options, string functionName)
    {
        Id = Interlocked.Increment(ref s_nextId);
        Context = context;
        FunctionName = functionName;
        _source = source;
        _cancel = cancel;
        _batchItems = Math.Max(1, options.GeneratorBatchSize);
        _batchBytes = Math.Max(1, options.GeneratorBatchBytes);
        _stream = streams.GetStream<RapGeneratorBatch>(StreamId.Create(RapStreams.GeneratorNamespace, Id));

        // Subscribe before producing: a memory stream drops events nobody is subscribed to. Completes synchronously in process.
        _reader = _stream.SubscribeReaderAsync(Math.Max(1, options.GeneratorBufferCapacity)).GetAwaiter().GetResult();
        _producer = Task.Run(ProduceAsync);
    }

    /// <summary>A process-wide unique id, never 0 or −1: usable as the 0.5.3.8 <c>call_id</c>.</summary>
    public long Id { get; }

    public RapCallContext Context { get; }

    public string FunctionName { get; }

    /// <summary>The error answer after <see cref="RapGeneratorStep.Failed"/>.</summary>
    public RapCallResult Failure => _failure;

    /// <summary>Number of items the producer has encoded (the last batch may still wait for room in the stream).</summary>
    public long Produced => Volatile.Read(ref _produced);

    /// <summary>Observers' scope of this generator (<see cref="IRapDispatchObserver"/>), ended when the stream is disposed.</summary>
    internal IDisposable? Observation { get; set; }

    /// <summary>The stream the items travel on.</summary>
    public StreamId StreamId => _stream.StreamId;

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
    public ValueTask<RapGeneratorStep> WaitForItemsAsync(CancellationToken cancellationToken = default) =>
        _current is not null || TryTakeBatch() ? new(RapGeneratorStep.Item) : WaitSlowAsync(cancellationToken);

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
        while (bytes < maxBytes && (_current is not null || TryTakeBatch()))
        {
            ReadOnlySpan<byte> item = _current![_currentIndex];
            bytes += item.Length;
            bool more = write(state, item);
            Advance(); // after the write: a finished batch goes back to the pool and may be refilled at once
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

        // Unsubscribing releases a producer waiting for buffer room.
        await _reader.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _producer.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        // Batches still queued or being read are left to the GC: a 0.5.3.8 read may still run on another thread.
        _cancel.Dispose();
        Observation?.Dispose();
    }

    private bool TryTakeBatch()
    {
        while (_reader.TryRead(out RapGeneratorBatch batch))
        {
            if (batch.Count > 0)
            {
                _current = batch;
                _currentIndex = 0;
                return true;
            }

            batch.Return();
        }

        return false;
    }

    /// <summary>Moves past the current item; a finished batch goes back to the producer.</summary>
    private void Advance()
    {
        if (++_currentIndex == _current!.Count)
        {
            RapGeneratorBatch done = _current;
            _current = null;
            done.Return();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RapGeneratorStep> WaitSlowAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (TryTakeBatch())
                {
                    return RapGeneratorStep.Item;
                }
            }

            return RapGeneratorStep.Completed;
        }
        catch (RapBindingException ex)
        {
            _failure = ex.Result;
            return RapGeneratorStep.Failed;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _failure = RapDispatcher.FunctionFailure(ex);
            return RapGeneratorStep.Failed;
        }
    }

    private ValueTask PublishAsync(RapGeneratorBatch batch) =>
        _stream.OnNextAsync(batch, _cancel.Token); // waits while the subscription's buffer is full (back-pressure)

    private async Task ProduceAsync()
    {
        var previous = RapCallContext.Current;
        RapCallContext.Current = Context;
        Exception? failure = null;
        RapGeneratorBatch? batch = null;
        try
        {
            while (!_cancel.IsCancellationRequested)
            {
                ValueTask<bool> move = _source.MoveNextAsync();
                bool waited = !move.IsCompleted;
                bool more;
                if (waited && batch is not null)
                {
                    // The generator waits: what is ready goes out now, not after its wait. The batch is handed over
                    // first: when the move then fails, the failure path below must not publish (and so return to the
                    // pool) the same batch a second time.
                    RapGeneratorBatch ready = batch;
                    batch = null;
                    more = await PublishWhileMovingAsync(ready, move.AsTask()).ConfigureAwait(false);
                }
                else
                {
                    more = await move.ConfigureAwait(false);
                }

                if (!more)
                {
                    break;
                }

                batch ??= RapGeneratorBatch.Rent(_batchItems);
                _source.WriteCurrent(batch.Writer);
                batch.EndItem();
                Interlocked.Increment(ref _produced);

                // An item that took a wait is not held back for the next ones.
                if (waited || batch.Count >= _batchItems || batch.ByteCount >= _batchBytes)
                {
                    RapGeneratorBatch full = batch;
                    batch = null;
                    await PublishAsync(full).ConfigureAwait(false);
                }
            }

            if (batch is not null && !_cancel.IsCancellationRequested)
            {
                RapGeneratorBatch last = batch;
                batch = null;
                await PublishAsync(last).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        finally
        {
            try
            {
                await _source.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (failure is null)
            {
                failure = ex;
            }

            RapCallContext.Current = previous;
        }

        bool cancelled = failure is OperationCanceledException && _cancel.IsCancellationRequested;
        if (failure is not null && !cancelled && batch is not null)
        {
            // The items encoded before the exception reach the client before the error.
            try
            {
                await PublishAsync(batch).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
            {
                cancelled = true;
            }
        }

        if (failure is null || cancelled)
        {
            await _stream.OnCompletedAsync().ConfigureAwait(false);
        }
        else
        {
            await _stream.OnErrorAsync(failure).ConfigureAwait(false);
        }
    }

    /// <summary>Publishes the ready items while the generator works on the next one; never leaves that move running.</summary>
    private async Task<bool> PublishWhileMovingAsync(RapGeneratorBatch batch, Task<bool> move)
    {
        try
        {
            await PublishAsync(batch).ConfigureAwait(false);
        }
        catch
        {
            // The enumerator may be disposed only once its MoveNextAsync has finished.
            try
            {
                await move.ConfigureAwait(false);
            }
#pragma warning disable CA1031 // the publish failure is the one that matters
            catch
#pragma warning restore CA1031
            {
            }

            throw;
        }

        return await move.ConfigureAwait(false);
    }
}
