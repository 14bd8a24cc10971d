using System.Buffers;
using OrleansRpc.MessagePack;
using OrleansRpc.Server.Formatters;

namespace OrleansRpc.Server;

/// <summary>The untyped face of a user <see cref="IAsyncEnumerable{T}"/>: pulls the next item and encodes it.</summary>
internal abstract class RapItemSource : IAsyncDisposable
{
    public static RapItemSource Create<T>(IAsyncEnumerable<T> items, RapFormatter<T> formatter, RapCallContext context)
        => new Typed<T>(items, formatter, context.CancellationToken);

    /// <summary>Advances; when an item is there, writes it to <paramref name="output"/> and returns true.</summary>
    public abstract ValueTask<bool> MoveNextAsync(IBufferWriter<byte> output);

    public abstract ValueTask DisposeAsync();

    private sealed class Typed<T>(IAsyncEnumerable<T> items, RapFormatter<T> formatter, CancellationToken cancellationToken) : RapItemSource
    {
        private IAsyncEnumerator<T>? _enumerator;

        public override async ValueTask<bool> MoveNextAsync(IBufferWriter<byte> output)
        {
            _enumerator ??= items.GetAsyncEnumerator(cancellationToken);
            if (!await _enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                return false;
            }

            var writer = new MessagePackWriter(output);
            formatter.Write(ref writer, _enumerator.Current);
            writer.Flush();
            return true;
        }

        public override ValueTask DisposeAsync() => _enumerator?.DisposeAsync() ?? default;
    }
}
