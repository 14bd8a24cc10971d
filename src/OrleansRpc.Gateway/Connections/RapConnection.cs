using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Connections;

namespace OrleansRpc.Gateway.Connections;

/// <summary>
/// One accepted client connection: its read loop, its serialized output, its in-flight call count (which
/// drives back-pressure and drain) and its life cycle. Protocol logic lives in the <see cref="IRapFrameHandler"/>.
/// </summary>
internal sealed partial class RapConnection
{
    private static MessagePackReaderOptions s_lastScannerOptions = new() { MaxDepth = RapServerConnection.MaxFrameDepth };

    private readonly ConnectionContext _context;
    private readonly RapGatewayOptions _options;
    private readonly RapConnectionTracker _tracker;
    private readonly ILogger _logger;
    private readonly MessagePackFrameScanner _scanner;
    private readonly CancellationTokenSource _stopReading = new();
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IRapFrameHandler? _handler;
    private TaskCompletionSource? _capacityWaiter;
    private TaskCompletionSource? _idleWaiter;
    private int _inFlight;
    private int _closeRequested;
    private int _draining;
    private int _readingStopped;
    private readonly TaskCompletionSource _closeCalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastReceivedTimestamp;
    private long _frameStart; // offset in the connection's byte stream of the frame being read (for error logs)

    public RapConnection(ConnectionContext context, RapGatewayOptions options, RapConnectionTracker tracker, TimeProvider timeProvider, ILogger logger)
    {
        _context = context;
        _options = options;
        _tracker = tracker;
        _logger = logger;
        TimeProvider = timeProvider;
        _scanner = new MessagePackFrameScanner(ScannerOptionsFor(options));
        Output = new RapConnectionOutput(options.MaxFrameBytes) { MoreAnswersExpected = MoreAnswersExpected };
        _lastReceivedTimestamp = timeProvider.GetTimestamp();
    }

    /// <summary>Kestrel's id of the connection (for logs).</summary>
    public string ConnectionId => _context.ConnectionId;

    public EndPoint? RemoteEndPoint => _context.RemoteEndPoint;

    public EndPoint? LocalEndPoint => _context.LocalEndPoint;

    /// <summary>Where answers go; safe to use from any thread.</summary>
    public RapConnectionOutput Output { get; }

    public RapGatewayOptions Options => _options;

    public TimeProvider TimeProvider { get; }

    /// <summary>Cancelled when the connection has ended: pending work should stop and its answers are dropped.</summary>
    public CancellationToken ConnectionClosed => _closed.Token;

    /// <summary>Completes when the connection has been fully torn down.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Bytes the frame scanner examined so far: about the bytes received, however they were split (tests).</summary>
    internal long BytesScanned => _scanner.TotalBytesScanned;

    /// <summary>Calls, generators and channels currently running on this connection.</summary>
    public int InFlightCalls => Volatile.Read(ref _inFlight);

    /// <summary>True once the server started draining this connection.</summary>
    public bool IsDraining => Volatile.Read(ref _draining) != 0;

    /// <summary>True once <see cref="Close"/> was called or the connection ended.</summary>
    public bool IsClosing => Volatile.Read(ref _closeRequested) != 0;

    /// <summary><see cref="TimeProvider"/> timestamp of the last complete frame received.</summary>
    public long LastReceivedTimestamp => Interlocked.Read(ref _lastReceivedTimestamp);

    /// <summary>Counts one unit of work (call, generator, channel) as running; pair with <see cref="EndCall"/>.</summary>
    public void BeginCall() => Interlocked.Increment(ref _inFlight);

    /// <summary>Ends one unit of work started with <see cref="BeginCall"/>.</summary>
    public void EndCall()
    {
        int now = Interlocked.Decrement(ref _inFlight);
        if (now < _options.MaxInFlightCallsPerConnection)
        {
            Interlocked.Exchange(ref _capacityWaiter, null)?.TrySetResult();
        }

        if (now <= 0)
        {
            Interlocked.Exchange(ref _idleWaiter, null)?.TrySetResult();
        }
    }

    /// <summary>
    /// Ends the connection: stops reading, sends what is already queued (e.g. a close event written just
    /// before), then closes the socket. Safe to call more than once and from any thread.
    /// </summary>
    public void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closeRequested, 1) != 0)
        {
            return;
        }

        GatewayLog.ConnectionClosing(_logger, ConnectionId, reason);
        _stopReading.Cancel();
        _closeCalled.TrySetResult();
    }

    /// <summary>
    /// Starts the graceful drain of this connection: the protocol tells the client (HEAD), the connection keeps
    /// reading and answering for <see cref="RapGatewayOptions.DrainGracePeriod"/>, then reads no more; calls still
    /// running may finish within <see cref="RapGatewayOptions.DrainTimeout"/> (the protocol answers the rest with
    /// "server is stopping"), then the connection is closed. Every call read gets an answer.
    /// </summary>
    public void BeginDrain()
    {
        if (Interlocked.Exchange(ref _draining, 1) != 0 || IsClosing)
        {
            return;
        }

        GatewayLog.ConnectionDraining(_logger, ConnectionId, InFlightCalls);
        try
        {
            _handler?.OnDrain(_options.DrainTimeout);
        }
        catch (Exception ex)
        {
            GatewayLog.HandlerFailed(_logger, ConnectionId, ex);
        }

        _ = DrainAsync();
    }

    private async Task DrainAsync()
    {
        TimeSpan grace = _options.DrainGracePeriod < _options.DrainTimeout ? _options.DrainGracePeriod : _options.DrainTimeout;
        try
        {
            // Keep reading: calls in transit when the stop was announced are read and answered like any other.
            await Task.Delay(grace, TimeProvider, _closed.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // the connection ended on its own
        }

        StopReadingForDrain();
        try
        {
            // The protocol answers calls still running at DrainTimeout and ends the connection itself; the margin
            // lets it do so before this closes the connection.
            using var timeout = new CancellationTokenSource(_options.DrainTimeout - grace + DrainMargin, TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _closed.Token);
            await WhenNoCallsAsync().WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // drain timeout or the connection ended on its own
        }

        Close(InFlightCalls == 0 ? "drained" : "drain timeout");
    }

    // How long after DrainTimeout the connection is closed even though the protocol did not end it.
    private static readonly TimeSpan DrainMargin = TimeSpan.FromMilliseconds(500);

    /// <summary>True once a draining connection stopped reading (its grace period is over); it still writes answers.</summary>
    private bool IsReadingStopped => Volatile.Read(ref _readingStopped) != 0;

    private void StopReadingForDrain()
    {
        Interlocked.Exchange(ref _readingStopped, 1);
        try
        {
            _context.Transport.Input.CancelPendingRead(); // wakes the read loop, which sees the flag and returns
        }
        catch (InvalidOperationException)
        {
            // the input is already completed: nothing is being read
        }
    }

    private Task WhenNoCallsAsync()
    {
        while (InFlightCalls > 0)
        {
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            TaskCompletionSource? existing = Interlocked.CompareExchange(ref _idleWaiter, waiter, null);
            waiter = existing ?? waiter;
            if (InFlightCalls > 0)
            {
                return waiter.Task;
            }
        }

        return Task.CompletedTask;
    }

    private Task WhenCapacityAsync()
    {
        int max = _options.MaxInFlightCallsPerConnection;
        while (InFlightCalls >= max)
        {
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            TaskCompletionSource? existing = Interlocked.CompareExchange(ref _capacityWaiter, waiter, null);
            waiter = existing ?? waiter;
            if (InFlightCalls >= max)
            {
                return waiter.Task;
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Runs the connection until it ends; called by the connection handler.</summary>
    internal async Task RunAsync(IRapFrameHandlerFactory handlerFactory)
    {
        Task writer = Output.RunAsync(_context.Transport.Output, CancellationToken.None);
        CancellationTokenRegistration drainRegistration = default;
        try
        {
            _handler = handlerFactory.Create(this);

            // Kestrel asks connections to close gracefully when the server stops: that is a drain.
            IConnectionLifetimeNotificationFeature? lifetime = _context.Features.Get<IConnectionLifetimeNotificationFeature>();
            if (lifetime is not null)
            {
                drainRegistration = lifetime.ConnectionClosedRequested.Register(static state => ((RapConnection)state!).BeginDrain(), this);
            }

            if (_tracker.IsDraining)
            {
                BeginDrain();
            }

            await ReadLoopAsync(_handler).ConfigureAwait(false);
            if (IsReadingStopped)
            {
                // Draining: nothing more is read, but the answers of the calls read so far are still written; the
                // drain (or the protocol at its deadline) closes the connection.
                await _closeCalled.Task.ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            GatewayLog.ConnectionFailed(_logger, ConnectionId, ex);
        }
        finally
        {
            await drainRegistration.DisposeAsync().ConfigureAwait(false);
            Interlocked.Exchange(ref _closeRequested, 1);
            await _stopReading.CancelAsync().ConfigureAwait(false);
            await _closed.CancelAsync().ConfigureAwait(false);
            try
            {
                _handler?.OnClosed();
            }
            catch (Exception ex)
            {
                GatewayLog.HandlerFailed(_logger, ConnectionId, ex);
            }

            Output.Complete();
            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ConnectionResetException or OperationCanceledException or InvalidOperationException)
            {
                // the peer is gone; nothing more to send
            }

            await _context.Transport.Output.CompleteAsync().ConfigureAwait(false);
            await _context.Transport.Input.CompleteAsync().ConfigureAwait(false);
            Interlocked.Exchange(ref _capacityWaiter, null)?.TrySetCanceled();
            Interlocked.Exchange(ref _idleWaiter, null)?.TrySetResult();
            _completion.TrySetResult();
        }
    }

    // Shared by the connections with the same limits (the options are immutable).
    private static MessagePackReaderOptions ScannerOptionsFor(RapGatewayOptions options)
    {
        MessagePackReaderOptions last = Volatile.Read(ref s_lastScannerOptions);
        if (last.MaxFrameBytes == options.MaxFrameBytes && last.MaxFrameElements == options.MaxFrameElements && last.MaxDepth == RapServerConnection.MaxFrameDepth)
        {
            return last;
        }

        // Frames may nest as deep as a Python peer can write them: an argument nested deeper than the decoder's
        // limit is the protocol's to answer (bad parameters), not a reason to drop the connection.
        var created = new MessagePackReaderOptions
        {
            MaxFrameBytes = options.MaxFrameBytes,
            MaxFrameElements = options.MaxFrameElements,
            MaxDepth = RapServerConnection.MaxFrameDepth,
        };
        Volatile.Write(ref s_lastScannerOptions, created);
        return created;
    }

    // The call being answered still counts while its answer is written: more than one means others are running.
    private bool MoreAnswersExpected() => InFlightCalls > 1;

    private void MarkReceived() => Interlocked.Exchange(ref _lastReceivedTimestamp, TimeProvider.GetTimestamp());
}
