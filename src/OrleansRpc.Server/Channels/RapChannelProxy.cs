using System.Buffers;
using Microsoft.Extensions.Logging;

namespace OrleansRpc.Server;

/// <summary>
/// The gateway's end of a channel running in its host grain (<see cref="IRapChannelHost"/>): numbers and delivers the
/// client's messages, reads the server's messages and the end event from the host's outbox, and ends the channel when
/// the client drops it or the connection goes. Deliveries wait for the open, so none can overtake it.
/// </summary>
internal sealed class RapChannelProxy
{
    private readonly IRapChannelHost _host;
    private readonly Guid _key;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource<RapChannelEndReason> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenRegistration _connectionClosed;
    private long _nextSequence;
    private int _ended;

    public RapChannelProxy(IRapChannelHost host, Guid key, string channelId, RapInvocation invocation, CancellationToken connectionClosed, ILogger logger)
    {
        _host = host;
        _key = key;
        _logger = logger;
        Id = channelId;
        Opened = host.OpenChannelAsync(key, channelId, invocation);
        _connectionClosed = connectionClosed.CanBeCanceled
            ? connectionClosed.UnsafeRegister(static s => ((RapChannelProxy)s!).End(RapChannelEndReason.ConnectionLost), this)
            : default;
    }

    public string Id { get; }

    /// <summary>The open call (the handler started in the grain).</summary>
    public Task Opened { get; }

    /// <summary>Completes with the reason once the channel has ended (the end event was read, or it was ended from here).</summary>
    public Task<RapChannelEndReason> Completion => _completion.Task;

    public bool IsEnded => Volatile.Read(ref _ended) != 0;

    /// <summary>A client MSG body as raw msgpack (copied: the bytes may be reused afterwards); completes when the handler's inbox took it.</summary>
    public Task DeliverAsync(in ReadOnlySequence<byte> body, CancellationToken cancellationToken)
    {
        long sequence = _nextSequence++;
        byte[] message = body.ToArray();
        return Opened.IsCompletedSuccessfully
            ? _host.DeliverAsync(_key, sequence, message, cancellationToken)
            : DeliverAfterOpenAsync(sequence, message, cancellationToken);
    }

    /// <summary>Server→client messages, then the end event (which completes <see cref="Completion"/>).</summary>
    public async IAsyncEnumerable<RapChannelEvent> ReadOutgoingAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Opened.ConfigureAwait(false);
        await foreach (RapChannelEvent item in _host.ReadChannelAsync(_key, cancellationToken).ConfigureAwait(false))
        {
            if (item.IsEnd)
            {
                _completion.TrySetResult(item.EndReason);
            }

            yield return item;
        }
    }

    /// <summary>Ends the channel from the gateway's side (client drop, connection lost, shutdown). False when already ended.</summary>
    public bool End(RapChannelEndReason reason)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return false;
        }

        _connectionClosed.Dispose();
        _ = EndInGrainAsync(reason);
        return true;
    }

    /// <summary>The outbox was read to its end or abandoned: nothing more will come.</summary>
    public void Finished(RapChannelEndReason reason)
    {
        Interlocked.Exchange(ref _ended, 1);
        _connectionClosed.Dispose();
        _completion.TrySetResult(reason);
    }

    private async Task DeliverAfterOpenAsync(long sequence, byte[] message, CancellationToken cancellationToken)
    {
        await Opened.ConfigureAwait(false);
        await _host.DeliverAsync(_key, sequence, message, cancellationToken).ConfigureAwait(false);
    }

    private async Task EndInGrainAsync(RapChannelEndReason reason)
    {
        try
        {
            await Opened.ConfigureAwait(false);
            await _host.EndChannelAsync(_key, reason).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the host may be gone with its silo: its channel went with it
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RapServerLog.GrainCallFailed(_logger, "channel", Id, ex);
        }
        finally
        {
            _completion.TrySetResult(reason);
        }
    }
}
