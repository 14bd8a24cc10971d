using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Connections;

/// <summary>
/// Serializes writers onto one stream: senders append whole encoded frames to a shared buffer under a short lock,
/// a single loop writes everything queued with one stream write (so 1000 concurrent calls cost few syscalls).
/// </summary>
internal sealed class RapFrameOutput : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private PooledBufferWriter _active = new(16 * 1024);
    private PooledBufferWriter _spare = new(16 * 1024);
    private bool _scheduled;
    private bool _completed;
    private Exception? _failure;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource? _space;

    public RapFrameOutput(Stream stream)
    {
        _stream = stream;
        _loop = Task.Run(WriteLoopAsync);
    }

    /// <summary>Queued bytes above which streaming writers wait (<see cref="WaitForSpaceAsync"/>).</summary>
    public const int HighWaterMark = 1024 * 1024;

    /// <summary>Raised once when writing fails (the connection is then dead).</summary>
    public event Action<Exception>? Failed;

    /// <summary>Queues one encoded frame. Throws <see cref="RapConnectionException"/> once the output is closed.</summary>
    public void Enqueue(ReadOnlySpan<byte> frame)
    {
        bool signal;
        lock (_lock)
        {
            if (_completed)
            {
                throw new RapConnectionException("The connection is closed.", _failure);
            }

            var span = _active.GetSpan(frame.Length);
            frame.CopyTo(span);
            _active.Advance(frame.Length);
            signal = !_scheduled;
            _scheduled = true;
        }

        if (signal)
        {
            try
            {
                _signal.Release();
            }
            catch (ObjectDisposedException)
            {
                // The connection closed between queuing and signalling; the frame dies with it.
            }
        }
    }

    /// <summary>
    /// Completes when the queue is below <see cref="HighWaterMark"/>: channel writers await it so a fast producer
    /// cannot buffer without bound (the protocol itself has no flow control).
    /// </summary>
    public ValueTask WaitForSpaceAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource space;
        lock (_lock)
        {
            if (_completed || _active.WrittenCount < HighWaterMark)
            {
                return ValueTask.CompletedTask;
            }

            space = _space ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return new ValueTask(space.Task.WaitAsync(cancellationToken));
    }

    /// <summary>Stops accepting frames; already queued frames are still written.</summary>
    public async Task CompleteAsync()
    {
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
        }

        _signal.Release();
        await _loop.ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (true)
            {
                await _signal.WaitAsync(_stop.Token).ConfigureAwait(false);
                PooledBufferWriter batch;
                bool completed;
                TaskCompletionSource? space;
                lock (_lock)
                {
                    batch = _active;
                    _active = _spare;
                    _spare = batch;
                    _scheduled = false;
                    completed = _completed;
                    space = _space;
                    _space = null;
                }

                // Writers waiting for space may queue the next batch while this one is written.
                space?.TrySetResult();

                if (batch.WrittenCount > 0)
                {
                    await _stream.WriteAsync(batch.WrittenMemory, _stop.Token).ConfigureAwait(false);
                    await _stream.FlushAsync(_stop.Token).ConfigureAwait(false);
                    batch.Reset();
                }

                if (completed)
                {
                    lock (_lock)
                    {
                        if (_active.WrittenCount == 0)
                        {
                            return;
                        }
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or System.Net.Sockets.SocketException or InvalidOperationException or NotSupportedException)
        {
            TaskCompletionSource? space;
            lock (_lock)
            {
                _completed = true;
                _failure = ex;
                space = _space;
                _space = null;
            }

            space?.TrySetResult();
            Failed?.Invoke(ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        TaskCompletionSource? space;
        lock (_lock)
        {
            _completed = true;
            space = _space;
            _space = null;
        }

        space?.TrySetResult();

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        lock (_lock)
        {
            _active.Dispose();
            _spare.Dispose();
        }

        _stop.Dispose();
        _signal.Dispose();
    }
}
