using System.Buffers;
using OrleansRpc.Grains.Runtime;
using OrleansRpc.Grains.Streams;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Server;

/// <summary>
/// A running async generator: the user's <see cref="IAsyncEnumerable{T}"/> is produced on its own task into a grain
/// stream (<see cref="IAsyncStream{T}"/> of encoded items, memory provider <see cref="RapStreams.ProviderName"/>),
/// and the gateway takes items with <see cref="MoveNextAsync"/> (0.5.3.8: one per call_id request; HEAD: as fast as
/// the connection drains). The reader subscribes before the producer starts, with a bounded buffer of
/// <see cref="RapServerOptions.GeneratorBufferCapacity"/> items: when it is full the producer's <c>OnNextAsync</c>
/// waits, so a stalled client stalls the generator instead of growing memory. An exception inside the generator
/// reaches the stream as <c>OnErrorAsync</c> and surfaces here as <see cref="RapGeneratorStep.Failed"/> with
/// <see cref="Failure"/> (HEAD: 301 frame; 0.5.3.8: exc body), after the items produced before it.
/// Dispose it when the client is gone or the connection closes: that cancels the producer (its own token source,
/// never a grain call's).
/// </summary>
public sealed class RapGeneratorStream : IAsyncDisposable
{
    private static long s_nextId;
    private readonly IAsyncStream<byte[]> _stream;
    private readonly StreamSubscriptionReader<byte[]> _reader;
    private readonly CancellationTokenSource _cancel;
    private readonly RapItemSource _source;
    private readonly Task _producer;
    private RapCallResult _failure;
    private long _produced;
    private int _disposed;

    internal RapGeneratorStream(RapItemSource source, RapCallContext context, CancellationTokenSource cancel, IStreamProvider streams, int capacity, string functionName)
    {
        Id = Interlocked.Increment(ref s_nextId);
        Context = context;
        FunctionName = functionName;
        _source = source;
        _cancel = cancel;
        _stream = streams.GetStream<byte[]>(StreamId.Create(RapStreams.GeneratorNamespace, Id));

        // Subscribe before producing: a memory stream drops events nobody is subscribed to. Completes synchronously in process.
        _reader = _stream.SubscribeReaderAsync(Math.Max(1, capacity)).GetAwaiter().GetResult();
        _producer = Task.Run(ProduceAsync);
    }

    /// <summary>A process-wide unique id, never 0 or −1: usable as the 0.5.3.8 <c>call_id</c>.</summary>
    public long Id { get; }

    public RapCallContext Context { get; }

    public string FunctionName { get; }

    /// <summary>The error answer after <see cref="RapGeneratorStep.Failed"/>.</summary>
    public RapCallResult Failure => _failure;

    /// <summary>Number of items the producer has encoded (the last one may still wait for room in the stream).</summary>
    public long Produced => Volatile.Read(ref _produced);

    /// <summary>Observers' scope of this generator (<see cref="IRapDispatchObserver"/>), ended when the stream is disposed.</summary>
    internal IDisposable? Observation { get; set; }

    /// <summary>The stream the items travel on.</summary>
    public StreamId StreamId => _stream.StreamId;

    /// <summary>Waits for the next item and writes its msgpack encoding to <paramref name="output"/>.</summary>
    public async ValueTask<RapGeneratorStep> MoveNextAsync(IBufferWriter<byte> output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        try
        {
            while (await _reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (_reader.TryRead(out var item))
                {
                    output.Write(item);
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

        _cancel.Dispose();
        Observation?.Dispose();
    }

    private async Task ProduceAsync()
    {
        var previous = RapCallContext.Current;
        RapCallContext.Current = Context;
        Exception? failure = null;
        try
        {
            using var buffer = new PooledBufferWriter(256);
            while (!_cancel.IsCancellationRequested)
            {
                buffer.Reset();
                if (!await _source.MoveNextAsync(buffer).ConfigureAwait(false))
                {
                    break;
                }

                Interlocked.Increment(ref _produced);

                // Waits while the subscription's buffer is full (back-pressure).
                await _stream.OnNextAsync(buffer.WrittenSpan.ToArray(), _cancel.Token).ConfigureAwait(false);
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

        if (failure is null || (failure is OperationCanceledException && _cancel.IsCancellationRequested))
        {
            await _stream.OnCompletedAsync().ConfigureAwait(false);
        }
        else
        {
            await _stream.OnErrorAsync(failure).ConfigureAwait(false);
        }
    }
}
