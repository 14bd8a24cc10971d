using System.Buffers;
using System.IO.Pipelines;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Gateway.Connections;

/// <summary>
/// The serialized write side of one connection. Frames from any thread are appended whole, under a lock,
/// to a pending buffer; one writer loop moves that buffer to the transport and flushes when it has caught
/// up, so bytes of two frames never interleave and a burst of answers costs one flush. While the read loop
/// processes a batch (<see cref="BeginBatch"/>/<see cref="EndBatch"/>) the writer is not woken, so the
/// answers produced by one read go out with a single flush.
/// </summary>
internal sealed class RapConnectionOutput : IDisposable
{
    [ThreadStatic]
    private static PooledBufferWriter? t_scratch;

    private readonly Lock _lock = new();
    private readonly AsyncSignal _signal = new();
    private readonly long _maxFrameBytes;
    private PooledBufferWriter _pending = new(4096);
    private PooledBufferWriter _spare = new(4096);
    private int _batchDepth;
    private bool _signaled;
    private bool _completed;
    private long _framesWritten;
    private TaskCompletionSource? _writableWaiter;

    public RapConnectionOutput(long maxFrameBytes) => _maxFrameBytes = maxFrameBytes;

    /// <summary>Frames accepted so far (for tests and diagnostics).</summary>
    public long FramesWritten => Interlocked.Read(ref _framesWritten);

    /// <summary>Bytes waiting for the writer loop.</summary>
    public int PendingBytes
    {
        get
        {
            lock (_lock)
            {
                return _pending.WrittenCount;
            }
        }
    }

    /// <summary>Above this many pending bytes producers that can wait (generators, channels) should wait.</summary>
    public const int HighWaterMark = 1024 * 1024;

    /// <summary>
    /// Completes when fewer than <see cref="HighWaterMark"/> bytes wait for the transport (or the output is
    /// completed). Streaming producers await it between items so a slow reader slows them down.
    /// </summary>
    public ValueTask WhenWritableAsync(CancellationToken cancellationToken = default)
    {
        TaskCompletionSource waiter;
        lock (_lock)
        {
            if (_completed || _pending.WrittenCount < HighWaterMark)
            {
                return ValueTask.CompletedTask;
            }

            waiter = _writableWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return new ValueTask(waiter.Task.WaitAsync(cancellationToken));
    }

    /// <summary>Queues one complete, already-encoded frame. Returns false once the output is completed.</summary>
    /// <exception cref="RapFrameTooLargeException">The frame is above the configured maximum.</exception>
    public bool Write(ReadOnlySpan<byte> frame)
    {
        if (frame.Length > _maxFrameBytes)
        {
            throw new RapFrameTooLargeException(frame.Length, _maxFrameBytes);
        }

        bool signal;
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }

            frame.CopyTo(_pending.GetSpan(frame.Length));
            _pending.Advance(frame.Length);
            _framesWritten++;
            signal = _batchDepth == 0 && !_signaled;
            _signaled |= signal;
        }

        if (signal)
        {
            _signal.Set();
        }

        return true;
    }

    /// <summary>
    /// Encodes one frame with <paramref name="encode"/> (outside the lock, into a thread-local scratch
    /// buffer, so an encoder that throws leaves nothing half-written) and queues it.
    /// </summary>
    public bool Write<TState>(TState state, Action<IBufferWriter<byte>, TState> encode)
    {
        ArgumentNullException.ThrowIfNull(encode);
        PooledBufferWriter scratch = t_scratch ??= new PooledBufferWriter(4096);
        t_scratch = null; // an encoder that writes another frame re-entrantly gets its own scratch
        try
        {
            scratch.Reset();
            encode(scratch, state);
            return Write(scratch.WrittenSpan);
        }
        finally
        {
            if (scratch.FreeCapacity + scratch.WrittenCount > 1024 * 1024)
            {
                scratch.Dispose(); // do not pin a huge buffer to a pool thread
            }
            else
            {
                scratch.Reset();
                t_scratch = scratch;
            }
        }
    }

    /// <summary>
    /// Lets <paramref name="write"/> append directly to the pending buffer under the output lock (no copy): used
    /// to move frames another component has already queued, e.g. the protocol state machine's output. The
    /// callback must write only whole frames, must not throw half-way and must not call back into this output.
    /// Returns false (and does not call <paramref name="write"/>) once the output is completed.
    /// </summary>
    public bool WriteDirect<TState>(TState state, Func<IBufferWriter<byte>, TState, int> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        bool signal;
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }

            if (write(_pending, state) > 0)
            {
                _framesWritten++;
            }

            signal = _batchDepth == 0 && _pending.WrittenCount > 0 && !_signaled;
            _signaled |= signal;
        }

        if (signal)
        {
            _signal.Set();
        }

        return true;
    }

    /// <summary>Holds back the writer until <see cref="EndBatch"/>, so a batch of answers is flushed once.</summary>
    public void BeginBatch()
    {
        lock (_lock)
        {
            _batchDepth++;
        }
    }

    public void EndBatch()
    {
        bool signal;
        lock (_lock)
        {
            if (_batchDepth > 0)
            {
                _batchDepth--;
            }

            signal = _batchDepth == 0 && _pending.WrittenCount > 0 && !_signaled;
            _signaled |= signal;
        }

        if (signal)
        {
            _signal.Set();
        }
    }

    /// <summary>Stops accepting frames; the writer loop sends what is pending and ends.</summary>
    public void Complete()
    {
        bool signal;
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            _batchDepth = 0;
            signal = !_signaled;
            _signaled = true;
            _writableWaiter?.TrySetResult();
            _writableWaiter = null;
        }

        if (signal)
        {
            _signal.Set();
        }
    }

    /// <summary>The writer loop: the only code that touches <paramref name="output"/>.</summary>
    public async Task RunAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await _signal.WaitAsync().ConfigureAwait(false);
            PooledBufferWriter batch;
            bool last;
            TaskCompletionSource? writable;
            lock (_lock)
            {
                _signaled = false;
                last = _completed;
                (batch, _pending, _spare) = (_pending, _spare, _pending);
                writable = _writableWaiter;
                _writableWaiter = null;
            }

            writable?.TrySetResult();

            if (batch.WrittenCount > 0)
            {
                output.Write(batch.WrittenSpan);
                batch.Reset();
                FlushResult flush = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    Complete(); // the peer is gone: drop whatever comes later
                    return;
                }
            }

            if (last)
            {
                return; // nothing can be queued after completion, and the batch taken above held everything before it
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _completed = true;
            _pending.Dispose();
            _spare.Dispose();
        }
    }
}
