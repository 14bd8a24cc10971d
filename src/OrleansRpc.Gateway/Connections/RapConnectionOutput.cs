using System.Buffers;
using System.IO.Pipelines;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Gateway.Connections;

/// <summary>
/// The serialized write side of one connection. Frames from any thread are appended whole, under a lock, to a
/// pending buffer, so bytes of two frames never interleave. One party at a time moves the pending bytes to the
/// transport and flushes:
/// <list type="bullet">
/// <item>the read loop, at <see cref="EndBatch"/>: the answers produced while it processed one read (calls that
/// completed inline) go out with one flush, from the read loop, without waking the writer loop;</item>
/// <item>the writer loop (<see cref="RunAsync"/>), woken by a frame written outside a batch. It is woken through
/// the thread pool's global queue, so answers completing on other threads just before it runs share its send;
/// a single answer is still sent as soon as the writer runs (no timer, no delay).</item>
/// </list>
/// The pending buffers are rented on the first write and returned once everything is flushed: an idle
/// connection holds none.
/// </summary>
internal sealed class RapConnectionOutput : IDisposable
{
    [ThreadStatic]
    private static PooledBufferWriter? t_scratch;

    private readonly Lock _lock = new();
    private readonly AsyncSignal _signal = new();
    private readonly long _maxFrameBytes;
    private RapOutputBuffer _pending = new();
    private RapOutputBuffer _spare = new();
    private PipeWriter? _transport;
    private int _batchDepth;
    private bool _signaled;
    private bool _writing;
    private bool _completed;
    private long _framesWritten;
    private long _flushes;
    private ValueTask<FlushResult> _handedOffFlush;
    private RapOutputBuffer? _handedOffBatch;
    private TaskCompletionSource? _writableWaiter;
    private TaskCompletionSource? _drainWaiter;
    private long _drainLimit;
    private int _inTransit; // bytes of the batch being written: handed to the transport, its flush not yet complete
    private long _unsent; // _pending.WrittenCount + _inTransit (0 once completed): written under the lock, read without it

    public RapConnectionOutput(long maxFrameBytes) => _maxFrameBytes = maxFrameBytes;

    /// <summary>
    /// Asked by the writer loop when it wakes: true when more answers are about to be written (other calls are
    /// running), so it lets them catch up once before sending.
    /// </summary>
    public Func<bool>? MoreAnswersExpected { get; set; }

    /// <summary>Frames accepted so far (for tests and diagnostics).</summary>
    public long FramesWritten => Interlocked.Read(ref _framesWritten);

    /// <summary>Flushes of the transport so far (for tests and diagnostics).</summary>
    public long Flushes => Interlocked.Read(ref _flushes);

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

    /// <summary>
    /// Bytes accepted and not yet sent: those waiting for the writer plus the batch whose flush the transport has not
    /// completed (the peer does not read). What the read loop bounds with <see cref="RapGatewayOptions.MaxUnsentOutputBytes"/>.
    /// </summary>
    /// <remarks>
    /// Read without the lock (the read loop asks before every frame, while answers are written from other threads);
    /// 0 once the output is completed: nothing more will be sent, so nothing is waited for.
    /// </remarks>
    public long UnsentBytes => Volatile.Read(ref _unsent);

    /// <summary>
    /// Completes when fewer than <paramref name="limit"/> bytes are unsent (<see cref="UnsentBytes"/>), or the output is
    /// completed. The read loop awaits it before reading more requests from a peer that does not read its answers.
    /// </summary>
    public Task WhenUnsentBelowAsync(long limit)
    {
        lock (_lock)
        {
            if (_completed || _unsent < limit)
            {
                return Task.CompletedTask;
            }

            _drainLimit = limit;
            return (_drainWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    /// <summary>True while a pending or spare buffer is rented (false once an idle connection's output is flushed).</summary>
    public bool HoldsBuffers
    {
        get
        {
            lock (_lock)
            {
                return _pending.HasBuffer || _spare.HasBuffer;
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
            UpdateUnsent();
            signal = ShouldSignal();
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

            UpdateUnsent();

            signal = ShouldSignal();
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

    /// <summary>
    /// Ends a batch. When it was the outermost one and nobody else is writing, the caller (the read loop) moves
    /// the pending bytes to the transport and flushes them itself; a flush that cannot complete at once (the
    /// transport pushes back) is handed to the writer loop, so the caller never waits for the peer.
    /// </summary>
    public void EndBatch()
    {
        RapOutputBuffer? batch = null;
        TaskCompletionSource? writable = null;
        bool signal = false;
        lock (_lock)
        {
            if (_batchDepth > 0)
            {
                _batchDepth--;
            }

            if (_batchDepth == 0 && _pending.WrittenCount > 0 && !_writing && !_completed && _transport is not null)
            {
                batch = TakePending(out writable);
            }
            else
            {
                signal = ShouldSignal();
            }
        }

        writable?.TrySetResult();
        if (signal)
        {
            _signal.Set();
        }

        if (batch is not null)
        {
            FlushFromCaller(batch);
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
            UpdateUnsent();
            signal = !_signaled;
            _signaled = true;
            _writableWaiter?.TrySetResult();
            _writableWaiter = null;
            _drainWaiter?.TrySetResult();
            _drainWaiter = null;
        }

        if (signal)
        {
            _signal.Set();
        }
    }

    /// <summary>The writer loop; it and <see cref="EndBatch"/> are the only code that touches <paramref name="output"/>, one at a time.</summary>
    public async Task RunAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        lock (_lock)
        {
            _transport = output;
        }

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await _signal.WaitAsync().ConfigureAwait(false);
            if (MoreAnswersExpected?.Invoke() == true)
            {
                // Other calls are running: let the work already queued (their completions) run first, so their
                // answers join this send. One yield, no timer: a lone answer is not delayed by it.
                await Task.Yield();
            }

            RapOutputBuffer? handedOff;
            ValueTask<FlushResult> handedOffFlush;
            lock (_lock)
            {
                handedOff = _handedOffBatch;
                handedOffFlush = _handedOffFlush;
                _handedOffBatch = null;
                _handedOffFlush = default;
            }

            if (handedOff is not null && !EndWrite(handedOff, await handedOffFlush.ConfigureAwait(false), wakeWriter: false))
            {
                return;
            }

            while (true)
            {
                RapOutputBuffer batch;
                bool last;
                TaskCompletionSource? writable;
                lock (_lock)
                {
                    _signaled = false;
                    if (_writing)
                    {
                        break; // the read loop is writing; it signals again if it leaves bytes behind
                    }

                    last = _completed;
                    if (_pending.WrittenCount == 0)
                    {
                        if (last)
                        {
                            return;
                        }

                        break;
                    }

                    batch = TakePending(out writable);
                }

                writable?.TrySetResult();
                output.Write(batch.WrittenSpan);
                Interlocked.Increment(ref _flushes);
                FlushResult flush = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (!EndWrite(batch, flush, wakeWriter: false) || last)
                {
                    return; // the peer is gone, or nothing can be queued after completion and this batch held everything before it
                }
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _completed = true;
            UpdateUnsent();
            if (!_writing)
            {
                _pending.Release();
                _spare.Release();
            }
        }
    }

    // Under the lock, after the pending or in-transit bytes changed.
    private void UpdateUnsent() => Volatile.Write(ref _unsent, _completed ? 0 : (long)_pending.WrittenCount + _inTransit);

    // Under the lock: wake the writer for a frame written outside a batch, unless it is already woken or someone writes.
    private bool ShouldSignal()
    {
        bool signal = _batchDepth == 0 && !_signaled && !_writing;
        _signaled |= signal;
        return signal;
    }

    // Under the lock: take ownership of the transport and of the pending bytes.
    private RapOutputBuffer TakePending(out TaskCompletionSource? writable)
    {
        _writing = true;
        _inTransit = _pending.WrittenCount;
        RapOutputBuffer batch = _pending;
        _pending = _spare;
        _spare = batch;
        writable = _writableWaiter;
        _writableWaiter = null;
        return batch;
    }

    private void FlushFromCaller(RapOutputBuffer batch)
    {
        PipeWriter transport = _transport!;
        ValueTask<FlushResult> flush;
        try
        {
            transport.Write(batch.WrittenSpan);
            Interlocked.Increment(ref _flushes);
            flush = transport.FlushAsync();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException or Microsoft.AspNetCore.Connections.ConnectionResetException)
        {
            EndWrite(batch, new FlushResult(isCanceled: false, isCompleted: true), wakeWriter: true); // the peer is gone: drop the rest
            return;
        }

        if (flush.IsCompletedSuccessfully)
        {
            EndWrite(batch, flush.Result, wakeWriter: true);
            return;
        }

        // The transport pushes back: the writer loop waits for it (and keeps ownership until then).
        lock (_lock)
        {
            _handedOffBatch = batch;
            _handedOffFlush = flush;
            _signaled = true;
        }

        _signal.Set();
    }

    /// <summary>
    /// Gives up ownership after a write; false when the transport is gone (the output is then completed).
    /// <paramref name="wakeWriter"/>: the read loop wrote, so the writer loop must be woken for bytes queued meanwhile
    /// (the writer loop itself just looks again).
    /// </summary>
    private bool EndWrite(RapOutputBuffer batch, FlushResult flush, bool wakeWriter)
    {
        bool signal;
        TaskCompletionSource? drained = null;
        lock (_lock)
        {
            _writing = false;
            _inTransit = 0;
            UpdateUnsent();
            if (_drainWaiter is not null && _pending.WrittenCount < _drainLimit)
            {
                drained = _drainWaiter;
                _drainWaiter = null;
            }

            batch.Reset();
            if (_pending.WrittenCount == 0)
            {
                // Idle (or done): hold no buffer until the next write.
                _pending.Release();
                batch.Release();
            }
            else if (batch.Capacity > RapOutputBuffer.MaxRetainedSize)
            {
                batch.Release(); // do not keep a huge buffer for a busy connection either
            }

            signal = wakeWriter && ShouldSignalAfterWrite();
        }

        drained?.TrySetResult();
        if (signal)
        {
            _signal.Set();
        }

        if (flush.IsCompleted || flush.IsCanceled)
        {
            Complete(); // the peer is gone: drop whatever comes later
            return false;
        }

        return true;
    }

    // Under the lock: bytes were queued while the read loop wrote (or the output was completed meanwhile): the writer takes over.
    private bool ShouldSignalAfterWrite()
    {
        bool signal = ((_pending.WrittenCount > 0 && _batchDepth == 0) || _completed) && !_signaled;
        _signaled |= signal;
        return signal;
    }
}
