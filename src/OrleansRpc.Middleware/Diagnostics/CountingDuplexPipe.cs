using System.Buffers;
using System.IO.Pipelines;

namespace OrleansRpc.Middleware.Diagnostics;

/// <summary>Wraps a connection's transport to count bytes both ways and to see the first byte (the generation).</summary>
internal sealed class CountingDuplexPipe : IDuplexPipe
{
    public CountingDuplexPipe(IDuplexPipe inner, Action<long> received, Action<long> sent, Action<byte> firstByte)
    {
        Input = new CountingPipeReader(inner.Input, received, firstByte);
        Output = new CountingPipeWriter(inner.Output, sent);
    }

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    private sealed class CountingPipeReader(PipeReader inner, Action<long> received, Action<byte> firstByte) : PipeReader
    {
        private ReadOnlySequence<byte> _last;
        private bool _sawFirst;

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            ValueTask<ReadResult> pending = inner.ReadAsync(cancellationToken);
            return pending.IsCompletedSuccessfully ? new ValueTask<ReadResult>(Observe(pending.Result)) : AwaitAsync(pending);
        }

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result))
            {
                return false;
            }

            result = Observe(result);
            return true;
        }

        public override void AdvanceTo(SequencePosition consumed)
        {
            Count(consumed);
            inner.AdvanceTo(consumed);
        }

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            Count(consumed);
            inner.AdvanceTo(consumed, examined);
        }

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        private async ValueTask<ReadResult> AwaitAsync(ValueTask<ReadResult> pending) => Observe(await pending.ConfigureAwait(false));

        private ReadResult Observe(ReadResult result)
        {
            _last = result.Buffer;
            if (!_sawFirst && !result.Buffer.IsEmpty)
            {
                _sawFirst = true;
                firstByte(result.Buffer.FirstSpan[0]);
            }

            return result;
        }

        private void Count(SequencePosition consumed)
        {
            long length = _last.Slice(_last.Start, consumed).Length;
            _last = default;
            if (length > 0)
            {
                received(length);
            }
        }
    }

    private sealed class CountingPipeWriter(PipeWriter inner, Action<long> sent) : PipeWriter
    {
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes)
        {
            inner.Advance(bytes);
            if (bytes > 0)
            {
                sent(bytes);
            }
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            if (!source.IsEmpty)
            {
                sent(source.Length);
            }

            return inner.WriteAsync(source, cancellationToken);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }
}
