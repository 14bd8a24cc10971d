using System.Buffers;
using System.Collections.Concurrent;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Connections;
using OrleansRpc.Protocol.Errors;
using OrleansRpc.Server;

namespace OrleansRpc.Gateway.Protocol;

internal sealed partial class RapProtocolHandler
{
    /// <summary>Generator items / channel messages moved to the connection's output per write, at most (about).</summary>
    private const int MaxBytesPerOutputWrite = 64 * 1024;

    private readonly LazyConcurrentDictionary<long, ChannelEntry> _channels = new(); // most connections never open a channel

    public void OnChannelOpen(RapServerConnection connection, in RapChannelOpenRequest request)
    {
        t_callbackDepth++;
        try
        {
            RapCallContext context = CreateContext(request.Version, request.Header, deadline: null);
            RapCallResult resolved = _dispatcher.Resolve(context, RapFrameKind.Channel, request.Group, request.Name, out RapFunctionDescriptor? function);
            if (resolved.IsSuccess)
            {
                // Rate limits and other admissions see channels and HEAD generators as they see unary calls.
                resolved = _dispatcher.Admit(function!, context);
            }

            if (!resolved.IsSuccess)
            {
                _protocol.RejectChannel(request.Token, resolved.ErrorKind, resolved.Message ?? string.Empty);
                return;
            }

            NoteSession(function!, context);
            var entry = new ChannelEntry(request.Token, function!, context);
            _channels[request.Token] = entry;
            _protocol.AcceptChannel(request.Token);
            if (function!.Kind == RapFunctionKind.Channel)
            {
                string channelId = request.Header.ChannelId ?? request.Token.ToString(System.Globalization.CultureInfo.InvariantCulture);
                entry.Channel = _dispatcher.OpenChannel(function, context, channelId, _connection.ConnectionClosed);
                // Off this thread: the pump takes the output lock, and we hold the protocol lock here
                // (the writer takes them in the other order), so starting it inline can deadlock.
                RapChannelProxy channel = entry.Channel;
                _ = Task.Run(() => PumpChannelAsync(entry, channel));
            }

            // A HEAD generator starts when its parameter message arrives.
        }
        finally
        {
            t_callbackDepth--;
        }
    }

    public void OnChannelMessage(RapServerConnection connection, in RapChannelMessage message)
    {
        t_callbackDepth++;
        try
        {
            if (!_channels.TryGetValue(message.Token, out ChannelEntry? entry))
            {
                return;
            }

            if (entry.Channel is { } channel)
            {
                Deliver(entry, channel, message.Body);
            }
            else if (!entry.GeneratorStarted)
            {
                entry.GeneratorStarted = true;
                StartHeadGenerator(entry, message.Body);
            }
        }
        finally
        {
            t_callbackDepth--;
        }
    }

    public void OnChannelClosed(RapServerConnection connection, long channelToken, RapChannelCloseReason reason)
    {
        t_callbackDepth++;
        try
        {
            if (_channels.TryRemove(channelToken, out ChannelEntry? entry))
            {
                End(entry, reason == RapChannelCloseReason.ClientDrop ? RapChannelEndReason.PeerDropped : RapChannelEndReason.ConnectionLost);
            }
        }
        finally
        {
            t_callbackDepth--;
        }
    }

    private void End(ChannelEntry entry, RapChannelEndReason reason)
    {
        // Cancellation runs callbacks and continuations inline; this is called under the state machine's lock
        // (often on the read loop), so the user code it wakes must run elsewhere.
        ThreadPool.UnsafeQueueUserWorkItem(
            static state =>
            {
                (RapProtocolHandler handler, ChannelEntry ended, RapChannelEndReason why) = state;
                try
                {
                    ended.Ended.Cancel();
                    ended.Channel?.End(why);
                }
                catch (Exception ex)
                {
                    // A callback registered on the channel's tokens threw: log it; an exception escaping a pool
                    // work item would end the process and every other connection with it.
                    GatewayLog.ChannelEndFailed(handler._logger, handler._connection.ConnectionId, ended.Token, ex);
                }
            },
            (this, entry, reason),
            preferLocal: false);
    }

    /// <summary>The connection ended: every channel, generator and parked v0.5.3.8 generator stops.</summary>
    private void AbortAll()
    {
        foreach (long token in _channels.Keys)
        {
            if (_channels.TryRemove(token, out ChannelEntry? entry))
            {
                End(entry, RapChannelEndReason.ConnectionLost);
            }
        }

        foreach (long id in _legacyGenerators.Keys)
        {
            if (_legacyGenerators.TryRemove(id, out RapGeneratorStream? stream))
            {
                _ = stream.DisposeAsync();
            }
        }
    }

    /// <summary>Hands a client message to the channel in order; a handler that is behind holds a call slot (back-pressure).</summary>
    private void Deliver(ChannelEntry entry, RapChannelProxy channel, in ReadOnlySequence<byte> body)
    {
        if (entry.DeliveryTail.IsCompleted)
        {
            Task delivery = channel.DeliverAsync(body, entry.Ended.Token);
            if (delivery.IsCompletedSuccessfully)
            {
                return;
            }

            _connection.BeginCall();
            entry.DeliveryTail = AwaitDeliveryAsync(delivery);
            return;
        }

        // Numbered now (in arrival order), sent once the previous one was taken.
        _connection.BeginCall();
        entry.DeliveryTail = DeliverAfterAsync(entry.DeliveryTail, channel, body.ToArray(), entry.Ended.Token);
    }

    private async Task AwaitDeliveryAsync(Task delivery)
    {
        try
        {
            await delivery.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException || _connection.ConnectionClosed.IsCancellationRequested)
        {
            // the channel ended first
        }
        catch (Exception ex)
        {
            GatewayLog.AnswerFailed(_logger, _connection.ConnectionId, "channel", 0, ex);
        }
        finally
        {
            _connection.EndCall();
        }
    }

    private async Task DeliverAfterAsync(Task previous, RapChannelProxy channel, byte[] body, CancellationToken ended)
    {
        try
        {
            await previous.ConfigureAwait(false);
            await channel.DeliverAsync(new ReadOnlySequence<byte>(body), ended).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException || _connection.ConnectionClosed.IsCancellationRequested)
        {
            // the channel ended first
        }
        catch (Exception ex)
        {
            GatewayLog.AnswerFailed(_logger, _connection.ConnectionId, "channel", 0, ex);
        }
        finally
        {
            _connection.EndCall();
        }
    }

    /// <summary>Sends what the channel function writes; when it ends, sends the drop.</summary>
    private async Task PumpChannelAsync(ChannelEntry entry, RapChannelProxy channel)
    {
        RapChannelEndReason reason = RapChannelEndReason.ConnectionLost;
        IAsyncEnumerator<RapChannelEvent> outbox = channel.ReadOutgoingAsync(_connection.ConnectionClosed).GetAsyncEnumerator(_connection.ConnectionClosed);
        try
        {
            bool ended = false;
            ValueTask<bool> move = outbox.MoveNextAsync();
            while (!ended && await move.ConfigureAwait(false))
            {
                await _connection.Output.WhenWritableAsync(_connection.ConnectionClosed).ConfigureAwait(false);

                // Every message that is ready goes out in one output write (the state machine's per-frame callback is
                // skipped). No await in here: the callback depth is per thread.
                move = default;
                t_callbackDepth++;
                try
                {
                    var bytes = 0;
                    while (true)
                    {
                        RapChannelEvent item = outbox.Current;
                        if (item.IsEnd)
                        {
                            reason = item.EndReason;
                            ended = true;
                            break;
                        }

                        bytes += item.Message!.Length;
                        _protocol.SendChannelMessage(entry.Token, item.Message);
                        move = outbox.MoveNextAsync();
                        if (bytes >= MaxBytesPerOutputWrite || !move.IsCompletedSuccessfully)
                        {
                            break; // sent below; the next one is awaited by the loop
                        }

                        if (!move.Result)
                        {
                            ended = true;
                            break;
                        }
                    }
                }
                finally
                {
                    t_callbackDepth--;
                }

                AfterProtocolCall();
            }

            channel.Finished(reason);
            if (_channels.TryRemove(entry.Token, out _))
            {
                // The server side ended: the client gets the drop (a client drop or a lost connection needs nothing
                // more). A failed channel function is reported by the drop alone, as rap does: its client learns
                // only that the channel closed (the exception is logged where the handler ran).
                _protocol.CloseChannel(entry.Token);
            }
        }
        catch (OperationCanceledException) when (_connection.ConnectionClosed.IsCancellationRequested)
        {
            // the connection is gone
        }
        catch (Exception ex)
        {
            GatewayLog.AnswerFailed(_logger, _connection.ConnectionId, "channel", entry.Token, ex);
            if (_channels.TryRemove(entry.Token, out _))
            {
                _protocol.FailChannel(entry.Token, RapErrorKind.ServerError, "Server error. " + ex.Message);
            }
        }
        finally
        {
            channel.Finished(reason);
            try
            {
                await outbox.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException || _connection.ConnectionClosed.IsCancellationRequested)
            {
                // the channel's grain call was cancelled with the connection
            }
        }
    }

    /// <summary>HEAD: the first client message of a generator channel holds the parameters.</summary>
    private void StartHeadGenerator(ChannelEntry entry, in ReadOnlySequence<byte> body)
    {
        // The arguments are copied into the grain call; a binding error comes back as the generator's failure.
        RapGeneratorStream generator = _dispatcher.StartGenerator(entry.Function, entry.Context, RapArguments.Head(body), entry.Ended.Token);
        entry.Generator = generator;
        _connection.BeginCall();
        // Off this thread, for the same lock-order reason as channel pumps (see OpenChannel).
        _ = Task.Run(() => PumpHeadGeneratorAsync(entry, generator));
    }

    private async Task PumpHeadGeneratorAsync(ChannelEntry entry, RapGeneratorStream stream)
    {
        try
        {
            while (true)
            {
                await _connection.Output.WhenWritableAsync(entry.Ended.Token).ConfigureAwait(false);
                RapGeneratorStep step = await stream.WaitForItemsAsync(entry.Ended.Token).ConfigureAwait(false);
                if (step == RapGeneratorStep.Item)
                {
                    if (!SendReadyItems(entry.Token, stream))
                    {
                        break; // the client dropped the channel
                    }

                    continue;
                }

                if (_channels.TryRemove(entry.Token, out _))
                {
                    if (step == RapGeneratorStep.Completed)
                    {
                        _protocol.CloseChannel(entry.Token);
                    }
                    else
                    {
                        FailChannel(entry.Token, stream.Failure);
                    }
                }

                break;
            }
        }
        catch (OperationCanceledException) when (entry.Ended.IsCancellationRequested || _connection.ConnectionClosed.IsCancellationRequested)
        {
            // dropped by the client or the connection ended
        }
        catch (Exception ex)
        {
            GatewayLog.AnswerFailed(_logger, _connection.ConnectionId, "generator", entry.Token, ex);
            if (_channels.TryRemove(entry.Token, out _))
            {
                _protocol.FailChannel(entry.Token, RapErrorKind.ServerError, "Server error. " + ex.Message);
            }
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            _connection.EndCall();
        }
    }

    /// <summary>
    /// Frames every ready generator item (each its own MSG frame, in order; at most about
    /// <see cref="MaxBytesPerOutputWrite"/>) and moves them to the connection's output with one write. Called with no
    /// lock held: the protocol lock is taken per frame and released before the output lock is taken once.
    /// </summary>
    private bool SendReadyItems(long token, RapGeneratorStream stream)
    {
        bool open;

        // The state machine then skips its per-frame output callback; the frames are moved once below.
        t_callbackDepth++;
        try
        {
            open = stream.ReadReady(
                (_protocol, token),
                static (state, item) => state._protocol.SendChannelMessage(state.token, item),
                MaxBytesPerOutputWrite);
        }
        finally
        {
            t_callbackDepth--;
        }

        AfterProtocolCall();
        return open;
    }

    private void FailChannel(long token, in RapCallResult result)
    {
        if (result.Outcome == RapCallOutcome.FunctionError)
        {
            _protocol.FailChannel(token, result.ExceptionName ?? "Exception", result.Message ?? string.Empty);
        }
        else
        {
            _protocol.FailChannel(token, result.ErrorKind, result.Message ?? string.Empty);
        }
    }
}
