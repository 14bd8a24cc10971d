using System.Buffers;
using System.Threading.Channels;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Server;

/// <summary>
/// A running async generator: the user's <see cref="IAsyncEnumerable{T}"/> is produced on its own task into a
/// bounded buffer of encoded items, and the gateway takes items with <see cref="MoveNextAsync"/> (0.5.3.8: one per
/// call_id request; HEAD: as fast as the connection drains). When the buffer is full the producer waits, so a
/// stalled client stalls the generator instead of growing memory. An exception inside the generator surfaces as
/// <see cref="RapGeneratorStep.Failed"/> with <see cref="Failure"/> (HEAD: 301 frame; 0.5.3.8: exc body).
/// Dispose it when the client is gone or the connection closes: that cancels the producer.
/// </summary>
public sealed class RapGeneratorStream : IAsyncDisposable
{
    private static long s_nextId;
    private readonly Channel<byte[]> _items;
    private readonly CancellationTokenSource _cancel;
    private readonly RapItemSource _source;
    private readonly Task _producer;
    private RapCallResult _failure;

    internal RapGeneratorStream(RapItemSource source, RapCallContext context, CancellationTokenSource cancel, int capacity, string functionName)
    {
        Id = Interlocked.Increment(ref s_nextId);
        Context = context;
        FunctionName = functionName;
        _source = source;
        _cancel = cancel;
        _items = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(Math.Max(1, capacity))
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _producer = Task.Run(ProduceAsync);
    }

    /// <summary>A process-wide unique id, never 0 or −1: usable as the 0.5.3.8 <c>call_id</c>.</summary>
    public long Id { get; }

    public RapCallContext Context { get; }

    public string FunctionName { get; }

    /// <summary>The error answer after <see cref="RapGeneratorStep.Failed"/>.</summary>
    public RapCallResult Failure => _failure;

    /// <summary>Number of items the producer has finished encoding (diagnostics and tests).</summary>
    public long Produced { get; private set; }

    /// <summary>Waits for the next item and writes its msgpack encoding to <paramref name="output"/>.</summary>
    public async ValueTask<RapGeneratorStep> MoveNextAsync(IBufferWriter<byte> output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        try
        {
            if (await _items.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) && _items.Reader.TryRead(out var item))
            {
                output.Write(item);
                return RapGeneratorStep.Item;
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
        await _cancel.CancelAsync().ConfigureAwait(false);
        try
        {
            await _producer.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _cancel.Dispose();
    }

    private async Task ProduceAsync()
    {
        var previous = RapCallContext.Current;
        RapCallContext.Current = Context;
        Exception? failure = null;
        try
        {
            using var buffer = new PooledBufferWriter(256);
            while (true)
            {
                buffer.Reset();
                if (!await _source.MoveNextAsync(buffer).ConfigureAwait(false))
                {
                    break;
                }

                var item = buffer.WrittenSpan.ToArray();
                Produced++;
                await _items.Writer.WriteAsync(item, _cancel.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        finally
        {
            await _source.DisposeAsync().ConfigureAwait(false);
            RapCallContext.Current = previous;
        }

        _items.Writer.TryComplete(failure is OperationCanceledException && _cancel.IsCancellationRequested ? null : failure);
    }
}
