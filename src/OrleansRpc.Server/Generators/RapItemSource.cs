using System.Buffers;
using OrleansRpc.MessagePack;
using OrleansRpc.Server.Formatters;

namespace OrleansRpc.Server;

/// <summary>The untyped face of a user <see cref="IAsyncEnumerable{T}"/>: advances, and encodes the current item.</summary>
internal abstract class RapItemSource : IAsyncDisposable
{
    public static RapItemSource Create<T>(IAsyncEnumerable<T> items, RapFormatter<T> formatter, RapCallContext context)
        => new Typed<T>(items, formatter, context.CancellationToken);

    /// <summary>
    /// Advances the user's enumerator. Returned as is (no state machine of ours), so a generator whose item is ready
    /// completes synchronously and the producer can batch it with the next ones.
    /// </summary>
    public abstract ValueTask<bool> MoveNextAsync();

    /// <summary>Writes the msgpack encoding of the current item (after <see cref="MoveNextAsync"/> returned true).</summary>
    public abstract void WriteCurrent(IBufferWriter<byte> output);

    public abstract ValueTask DisposeAsync();

    private sealed class Typed<T>(IAsyncEnumerable<T> items, RapFormatter<T> formatter, CancellationToken cancellationToken) : RapItemSource
    {
        private IAsyncEnumerator<T>? _enumerator;

        public override ValueTask<bool> MoveNextAsync()
        {
            _enumerator ??= items.GetAsyncEnumerator(cancellationToken);
            return _enumerator.MoveNextAsync();
        }

        public override void WriteCurrent(IBufferWriter<byte> output)
        {
            var writer = new MessagePackWriter(output);
            formatter.Write(ref writer, _enumerator!.Current);
            writer.Flush();
        }

        public override ValueTask DisposeAsync() => _enumerator?.DisposeAsync() ?? default;
    }
}
