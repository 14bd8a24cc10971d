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
    public async Task Unsent_bytes_count_what_the_peer_has_not_taken_and_a_waiter_wakes_when_it_drains()
    {
        // A pipe that pushes back above 64 bytes: the peer reads nothing until told to.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 64, resumeWriterThreshold: 32, useSynchronizationContext: false));
        using var output = new RapConnectionOutput(1024);
        Task writer = output.RunAsync(pipe.Writer, CancellationToken.None);

        output.Write(new byte[100]); // handed to the transport, whose flush does not complete
        output.Write(new byte[50]); // waits behind it
        await UntilAsync(() => output.UnsentBytes == 150);
        Task drained = output.WhenUnsentBelowAsync(100);
        Assert.False(drained.IsCompleted);

        // The peer reads the first batch: the writer moves the second; 50 unsent bytes are below the limit.
        ReadResult read = await pipe.Reader.ReadAsync();
        pipe.Reader.AdvanceTo(read.Buffer.End);
        await drained.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(output.UnsentBytes < 100);

        // Completed (e.g. the peer is gone): nothing more will be sent, so nothing is unsent or waited for.
        output.Write(new byte[200]);
        output.Complete();
        Assert.Equal(0, output.UnsentBytes);
        Assert.True(output.WhenUnsentBelowAsync(1).IsCompleted);
        while (!writer.IsCompleted)
        {
            if (pipe.Reader.TryRead(out ReadResult more))
            {
                pipe.Reader.AdvanceTo(more.Buffer.End);
            }

            await Task.Delay(5);
        }
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    [Fact]
    public async Task A_batch_is_flushed_once_by_the_caller_of_EndBatch_without_the_writer_loop()
    {
        var pipe = new Pipe();
        var counting = new CountingPipeWriter(pipe.Writer);
        using var output = new RapConnectionOutput(1024);
        Task writer = output.RunAsync(counting, CancellationToken.None);

        output.BeginBatch();
        output.Write([1, 2]);
        output.Write([3]);
        output.Write([4]);
        Assert.Equal(0, counting.Flushes);
        output.EndBatch();

        // Flushed synchronously inside EndBatch: the writer loop (which runs on the thread pool) had no part in it.
        Assert.Equal(1, counting.Flushes);
        Assert.Equal(1, output.Flushes);
        Assert.True(pipe.Reader.TryRead(out ReadResult read));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, read.Buffer.ToArray());
        pipe.Reader.AdvanceTo(read.Buffer.End);

        output.Complete();
        await writer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, counting.Flushes);
    }

    [Fact]
    public async Task A_single_frame_outside_a_batch_is_sent_without_waiting_for_a_batch()
    {
        var pipe = new Pipe();
        using var output = new RapConnectionOutput(1024);
        Task writer = output.RunAsync(pipe.Writer, CancellationToken.None);

        output.Write([7, 8]);
        ReadResult read = await pipe.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(new byte[] { 7, 8 }, read.Buffer.ToArray());
        pipe.Reader.AdvanceTo(read.Buffer.End);

        output.Complete();
        await writer.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task With_other_calls_running_the_writer_still_sends_a_lone_answer()
    {
        // The coalescing hint says more answers are coming, but none ever do: the writer yields once, then sends.
        var pipe = new Pipe();
        int asked = 0;
        using var output = new RapConnectionOutput(1024) { MoreAnswersExpected = () => Interlocked.Increment(ref asked) > 0 };
        Task writer = output.RunAsync(pipe.Writer, CancellationToken.None);

        output.Write([9]);
        Assert.Equal(new byte[] { 9 }, await ReadExactlyAsync(pipe.Reader, 1));
        Assert.True(Volatile.Read(ref asked) >= 1);

        output.Complete();
        await writer.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Buffers_are_rented_on_first_write_and_returned_once_flushed()
    {
        var pipe = new Pipe();
        using var output = new RapConnectionOutput(1024);
        Task writer = output.RunAsync(pipe.Writer, CancellationToken.None);
        Assert.False(output.HoldsBuffers);

        output.BeginBatch();
        output.Write([1, 2, 3]);
        Assert.True(output.HoldsBuffers);
        output.EndBatch();

        Assert.False(output.HoldsBuffers);
        Assert.Equal(0, output.PendingBytes);

        // Again through the writer loop: once it has flushed, it gives the buffers back too.
        output.Write([4]);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, await ReadExactlyAsync(pipe.Reader, 4));
        output.Complete();
        await writer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(output.HoldsBuffers);
    }

    [Fact]
    public async Task A_batch_flush_the_transport_pushes_back_on_is_finished_by_the_writer_loop_in_order()
    {
        // A tiny pause threshold: the caller's flush cannot complete at once and is handed to the writer loop.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 8, resumeWriterThreshold: 4, useSynchronizationContext: false));
        using var output = new RapConnectionOutput(1024);
        Task writer = output.RunAsync(pipe.Writer, CancellationToken.None);

        output.BeginBatch();
        output.Write(Enumerable.Repeat((byte)1, 32).ToArray());
        output.EndBatch(); // must not block although the reader reads nothing yet
        output.Write(Enumerable.Repeat((byte)2, 32).ToArray());
        output.BeginBatch();
        output.Write(Enumerable.Repeat((byte)3, 32).ToArray());
        output.EndBatch();

        byte[] received = await ReadExactlyAsync(pipe.Reader, 96);
        Assert.Equal(Enumerable.Repeat((byte)1, 32).Concat(Enumerable.Repeat((byte)2, 32)).Concat(Enumerable.Repeat((byte)3, 32)), received);
        output.Complete();
        await writer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(output.HoldsBuffers);
    }

    [Fact]
    public async Task Frames_queued_before_completion_are_still_sent()
    {
        var pipe = new Pipe();
        using var output = new RapConnectionOutput(1024);
        output.BeginBatch();
        output.Write([5]);
        output.Complete(); // ends the batch too: the writer loop sends what is pending
        await output.RunAsync(pipe.Writer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await pipe.Writer.CompleteAsync();
        Assert.Equal(new byte[] { 5 }, (await pipe.Reader.ReadAsync()).Buffer.ToArray());
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
    public async Task Batches_flushed_by_the_caller_and_concurrent_writers_lose_and_interleave_nothing()
    {
        // A small pause threshold so that caller flushes are often handed to the writer loop mid-stream.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4096, resumeWriterThreshold: 1024, useSynchronizationContext: false));
        using var output = new RapConnectionOutput(1 << 20);
        Task writer = output.RunAsync(pipe.Writer, CancellationToken.None);
        const int FrameBytes = 50;
        const int PerProducer = 400;
        const int Producers = 4; // producer 0 plays the read loop: every frame in a batch of its own

        Task<byte[]> reader = ReadExactlyAsync(pipe.Reader, FrameBytes * PerProducer * Producers);
        Parallel.For(0, Producers, p =>
        {
            byte[] frame = Enumerable.Repeat((byte)(p + 1), FrameBytes).ToArray();
            for (int i = 0; i < PerProducer; i++)
            {
                if (p == 0)
                {
                    output.BeginBatch();
                    output.Write(frame);
                    output.EndBatch();
                }
                else
                {
                    output.Write(frame);
                }
            }
        });

        byte[] all = await reader.WaitAsync(TimeSpan.FromSeconds(60));
        int[] counts = new int[Producers + 1];
        for (int offset = 0; offset < all.Length; offset += FrameBytes)
        {
            Assert.All(all.AsSpan(offset, FrameBytes).ToArray(), b => Assert.Equal(all[offset], b));
            counts[all[offset]]++;
        }

        Assert.All(counts.Skip(1), c => Assert.Equal(PerProducer, c));
        output.Complete();
        await writer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(output.HoldsBuffers);
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

    private static async Task<byte[]> ReadExactlyAsync(PipeReader reader, int count)
    {
        var received = new List<byte>();
        while (received.Count < count)
        {
            ReadResult read = await reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            received.AddRange(read.Buffer.ToArray());
            reader.AdvanceTo(read.Buffer.End);
        }

        return [.. received];
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
