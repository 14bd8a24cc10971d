using System.Buffers;
using System.IO.Pipelines;
using OrleansRpc.Gateway.Connections;

namespace OrleansRpc.Gateway.Tests.Connections;

public sealed class RapConnectionOutputTests
{
    [Fact]
    public async Task Frames_written_during_a_batch_are_flushed_once()
    {
        var pipe = new Pipe();
        var counting = new CountingPipeWriter(pipe.Writer);
        using var output = new RapConnectionOutput(1024);
        output.BeginBatch();
        output.Write([1, 2]);
        output.Write([3]);
        output.WriteDirect(0, static (buffer, _) =>
        {
            buffer.Write<byte>([4, 5]);
            return 2;
        });

        Task writer = output.RunAsync(counting, CancellationToken.None);
        output.EndBatch();
        output.Complete();
        await writer;
        await counting.CompleteAsync();

        ReadResult read = await pipe.Reader.ReadAsync();
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, read.Buffer.ToArray());
        Assert.Equal(1, counting.Flushes);
    }

    [Fact]
    public async Task Concurrent_writers_never_interleave_frames()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        using var output = new RapConnectionOutput(1 << 20);
        Task writer = output.RunAsync(pipe.Writer, CancellationToken.None);

        const int Threads = 8;
        const int PerThread = 500;
        Parallel.For(0, Threads, t =>
        {
            byte[] frame = Enumerable.Repeat((byte)t, 100).ToArray();
            for (int i = 0; i < PerThread; i++)
            {
                output.Write(frame);
            }
        });

        output.Complete();
        await writer;
        await pipe.Writer.CompleteAsync();

        byte[] all = (await pipe.Reader.ReadAsync()).Buffer.ToArray();
        Assert.Equal(Threads * PerThread * 100, all.Length);
        for (int offset = 0; offset < all.Length; offset += 100)
        {
            Assert.All(all.AsSpan(offset, 100).ToArray(), b => Assert.Equal(all[offset], b));
        }
    }

    [Fact]
    public void Frame_above_the_limit_is_refused()
    {
        using var output = new RapConnectionOutput(8);
        RapFrameTooLargeException error = Assert.Throws<RapFrameTooLargeException>(() => output.Write(new byte[9]));
        Assert.Equal(9, error.Size);
        Assert.Equal(0, output.PendingBytes);
    }

    [Fact]
    public void Writes_after_completion_are_dropped()
    {
        using var output = new RapConnectionOutput(1024);
        output.Complete();
        Assert.False(output.Write([1]));
        Assert.Equal(0, output.PendingBytes);
    }

    private sealed class CountingPipeWriter(PipeWriter inner) : PipeWriter
    {
        public int Flushes { get; private set; }

        public override void Advance(int bytes) => inner.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            Flushes++;
            return inner.FlushAsync(cancellationToken);
        }
    }
}
