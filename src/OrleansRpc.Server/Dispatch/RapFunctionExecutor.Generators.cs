using System.Buffers;
using System.Runtime.CompilerServices;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Errors;

namespace OrleansRpc.Server;

public sealed partial class RapFunctionExecutor
{
    /// <summary>
    /// Runs an async generator as the body of a grain's <c>IAsyncEnumerable</c> method: binds the arguments, then
    /// encodes the items that are ready together (the user's <c>MoveNextAsync</c> completes synchronously) into one
    /// chunk, up to <see cref="RapServerOptions.GeneratorBatchSize"/> items or <see cref="RapServerOptions.GeneratorBatchBytes"/>
    /// bytes; an item that took a wait travels at once, and so does a partial chunk when the generator starts to wait, so
    /// batching never delays an item. Orleans pulls chunks as the gateway asks for them, so a stalled client stalls the
    /// generator. A binding error or an exception of the generator ends the sequence with a failure chunk, after the
    /// items produced before it; disposing the sequence cancels the generator and disposes it.
    /// </summary>
    public async IAsyncEnumerable<RapGeneratorChunk> RunGeneratorAsync(
        RapInvocation invocation, RapSession? session, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var function = Find(invocation, RapFunctionKind.Generator);
        if (function is null)
        {
            yield return FailureChunk(RapCallResult.Status(RapErrorKind.FuncNotFound, RapErrorMessages.NotFound(invocation.Name)));
            yield break;
        }

        var context = invocation.CreateContext();
        context.Session = session;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Prepare(function, context, cancel.Token);
        RapItemSource? source = null;
        RapCallResult failure = default;
        try
        {
            source = Bind(function, invocation.GetArguments(), context);
        }
        catch (RapBindingException ex)
        {
            failure = ex.Result;
        }
        catch (Exception ex)
        {
            failure = Failure(function, ex, cancel.Token);
        }
        finally
        {
            RapCallContext.Current = null;
        }

        if (source is null)
        {
            yield return FailureChunk(failure);
            yield break;
        }

        var chunk = new ChunkBuilder();
        int batchItems = Math.Max(1, _options.GeneratorBatchSize);
        int batchBytes = Math.Max(1, _options.GeneratorBatchBytes);
        Task<bool>? pending = null;
        bool failed = false;
        try
        {
            while (true)
            {
                ValueTask<bool> move;
                try
                {
                    if (_options.FlowCallContext)
                    {
                        RapCallContext.Current = context;
                    }

                    move = source.MoveNextAsync();
                }
                catch (Exception ex)
                {
                    failure = GeneratorFailure(function, ex, cancel.Token, out failed);
                    break;
                }

                bool waited = !move.IsCompleted;
                if (waited && chunk.Count > 0)
                {
                    // The generator waits: what is ready goes out now, not after its wait.
                    pending = move.AsTask();
                    yield return chunk.Build();
                    move = new ValueTask<bool>(pending);
                }

                bool more;
                try
                {
                    more = await move.ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    failure = GeneratorFailure(function, ex, cancel.Token, out failed);
                    break;
                }
                finally
                {
                    pending = null;
                }

                if (!more)
                {
                    break;
                }

                try
                {
                    source.WriteCurrent(chunk.Writer);
                }
                catch (Exception ex)
                {
                    failure = GeneratorFailure(function, ex, cancel.Token, out failed);
                    break;
                }

                chunk.EndItem();

                // An item that took a wait is not held back for the next ones.
                if (waited || chunk.Count >= batchItems || chunk.ByteCount >= batchBytes)
                {
                    yield return chunk.Build();
                }
            }

            // The items encoded before an exception reach the client before the error.
            if (chunk.Count > 0 && !cancel.IsCancellationRequested)
            {
                yield return chunk.Build();
            }

            if (failed)
            {
                yield return FailureChunk(failure);
            }
        }
        finally
        {
            // Here early too when the consumer disposed the sequence (client drop, lost connection): cancel first.
            if (!cancel.IsCancellationRequested)
            {
                await cancel.CancelAsync().ConfigureAwait(false);
            }

            if (pending is not null)
            {
                // The enumerator may be disposed only once its MoveNextAsync has finished.
                await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            try
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException || !failed)
            {
                // A generator that throws from its finally after a drop has nobody to tell.
            }

            RapCallContext.Current = null;
        }
    }

    private static RapItemSource Bind(RapFunctionDescriptor function, RapArguments arguments, RapCallContext context)
    {
        if (arguments.Version == RapVersion.Head)
        {
            var reader = new MessagePackReader(arguments.Primary);
            return function.Invokers.HeadGenerator!(function.Target, ref reader, context, null);
        }

        var param = new MessagePackReader(arguments.Primary);
        var defaults = new MessagePackReader(arguments.Defaults);
        return function.Invokers.LegacyGenerator!(function.Target, ref param, ref defaults, arguments.HasDefaults, function.Name, context, null);
    }

    private RapCallResult GeneratorFailure(RapFunctionDescriptor function, Exception exception, CancellationToken cancellation, out bool failed)
    {
        // A generator cancelled because its client left ends quietly; any other exception is the client's answer.
        failed = !(exception is OperationCanceledException && cancellation.IsCancellationRequested);
        return exception is RapBindingException binding ? binding.Result : Failure(function, exception, CancellationToken.None);
    }

    private static RapGeneratorChunk FailureChunk(in RapCallResult failure) => new() { Failure = RapReply.Failure(failure) };

    /// <summary>Encodes items back to back and cuts them into immutable chunks.</summary>
    private sealed class ChunkBuilder
    {
        private readonly ArrayBufferWriter<byte> _writer = new(256);
        private readonly List<int> _ends = [];

        public IBufferWriter<byte> Writer => _writer;

        public int Count => _ends.Count;

        public int ByteCount => _writer.WrittenCount;

        public void EndItem() => _ends.Add(_writer.WrittenCount);

        public RapGeneratorChunk Build()
        {
            var chunk = new RapGeneratorChunk { Data = _writer.WrittenSpan.ToArray(), Ends = [.. _ends] };
            _writer.ResetWrittenCount();
            _ends.Clear();
            return chunk;
        }
    }
}
