using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Orleans.Streams;

namespace OrleansRpc.Server;

/// <summary>
/// Hands an Orleans stream to a rap client as a generator: <c>return stream.ReadForRapAsync(64, ct);</c> from a
/// function returning <see cref="IAsyncEnumerable{T}"/>. Every rap client gets its own subscription, so many clients can
/// follow one stream that any grain in the cluster publishes to.
/// </summary>
public static class RapStreamExtensions
{
    /// <summary>
    /// Subscribes to <paramref name="stream"/> and yields its items as they arrive, until the stream completes, fails, or
    /// the client stops reading (the subscription is removed). At most <paramref name="capacity"/> items wait for a slow
    /// client: one more ends the sequence with <see cref="RapStreamOverflowException"/> — the client is dropped with a
    /// clear error, never buffered without bound.
    /// </summary>
    public static async IAsyncEnumerable<T> ReadForRapAsync<T>(
        this IAsyncStream<T> stream, int capacity = 256, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var buffer = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        var observer = new Observer<T>(buffer.Writer, capacity);

        // Subscribed and removed outside any grain's turn: the subscription belongs to this rap client, not to the grain
        // that happens to run its generator (a grain subscription would outlive the client and reactivate the grain).
        StreamSubscriptionHandle<T> handle = await Task.Run(() => stream.SubscribeAsync(observer), cancellationToken).ConfigureAwait(false);
        try
        {
            while (await buffer.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (buffer.Reader.TryRead(out T? item))
                {
                    yield return item;
                }
            }
        }
        finally
        {
            await Task.Run(() => handle.UnsubscribeAsync(), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private sealed class Observer<T>(ChannelWriter<T> writer, int capacity) : IAsyncObserver<T>
    {
        public Task OnNextAsync(T item, StreamSequenceToken? token = null)
        {
            if (!writer.TryWrite(item))
            {
                writer.TryComplete(new RapStreamOverflowException($"the client fell more than {capacity} items behind the stream and was dropped from it"));
            }

            return Task.CompletedTask;
        }

        public Task OnCompletedAsync()
        {
            writer.TryComplete();
            return Task.CompletedTask;
        }

        public Task OnErrorAsync(Exception ex)
        {
            writer.TryComplete(ex);
            return Task.CompletedTask;
        }
    }
}
