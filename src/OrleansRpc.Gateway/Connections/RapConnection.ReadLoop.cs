using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Gateway.Connections;

internal sealed partial class RapConnection
{
    /// <summary>
    /// A partial frame longer than this is moved out of the transport pipe into a buffer of our own, so a
    /// frame larger than the transport's read-buffer limit (Kestrel sockets: 1 MiB) cannot stall the pipe.
    /// </summary>
    internal const int LargeFrameThreshold = 64 * 1024;

    private async Task ReadLoopAsync(IRapFrameHandler handler)
    {
        PipeReader input = _context.Transport.Input;
        CancellationToken stop = _stopReading.Token;
        LargeFrameBuffer? large = null;
        try
        {
            while (true)
            {
                if (IsReadingStopped)
                {
                    return; // draining: the grace period is over, every frame read so far has been handed on
                }

                if (InFlightCalls >= _options.MaxInFlightCallsPerConnection)
                {
                    // Back-pressure: read nothing more until a call finishes; TCP pushes back on the client.
                    GatewayLog.ReadPaused(_logger, ConnectionId, InFlightCalls);
                    await WhenCapacityAsync().WaitAsync(stop).ConfigureAwait(false);
                }

                if (IsOutputFull && !await WhenOutputDrainedAsync(stop).ConfigureAwait(false))
                {
                    return; // cut: the peer did not read its answers in time
                }

                if (large is not null)
                {
                    bool paused = ProcessLarge(handler, large);
                    handler.OnFramesEnd();
                    if (large.Length == 0)
                    {
                        large.Dispose();
                        large = null;
                    }
                    else if (paused)
                    {
                        continue;
                    }
                }

                ReadResult result = await input.ReadAsync(stop).ConfigureAwait(false);
                if (result.IsCanceled || IsReadingStopped)
                {
                    input.AdvanceTo(result.Buffer.Start);
                    return;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                if (large is not null)
                {
                    // Take everything already available before scanning on (fewer, larger scans).
                    large.Append(buffer);
                    input.AdvanceTo(buffer.End);
                    bool completed = result.IsCompleted;
                    while (!completed && input.TryRead(out ReadResult more))
                    {
                        large.Append(more.Buffer);
                        input.AdvanceTo(more.Buffer.End);
                        completed = more.IsCompleted;
                    }

                    if (large.Length > _options.MaxFrameBytes && _scanner.TryReadNext(large.Span, out _) == MessagePackFrameStatus.NeedMoreData)
                    {
                        throw new MessagePackLimitExceededException(nameof(RapGatewayOptions.MaxFrameBytes), _options.MaxFrameBytes, large.Length);
                    }

                    if (completed)
                    {
                        ProcessLarge(handler, large);
                        handler.OnFramesEnd();
                        if (large.Length > 0)
                        {
                            GatewayLog.TruncatedFrame(_logger, ConnectionId, large.Length);
                        }

                        return;
                    }

                    continue;
                }

                bool pausedForCapacity = ProcessBuffer(handler, ref buffer);
                handler.OnFramesEnd();
                if (IsClosing)
                {
                    input.AdvanceTo(buffer.Start);
                    return;
                }

                if (pausedForCapacity)
                {
                    // Frames are left in the buffer: examine nothing so the next read returns them at once.
                    input.AdvanceTo(buffer.Start);
                    continue;
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        GatewayLog.TruncatedFrame(_logger, ConnectionId, buffer.Length);
                    }

                    input.AdvanceTo(buffer.End);
                    GatewayLog.ClientDisconnected(_logger, ConnectionId);
                    return;
                }

                if (buffer.Length > _options.MaxFrameBytes)
                {
                    throw new MessagePackLimitExceededException(nameof(RapGatewayOptions.MaxFrameBytes), _options.MaxFrameBytes, buffer.Length);
                }

                if (buffer.Length >= LargeFrameThreshold)
                {
                    large = new LargeFrameBuffer(buffer.Length);
                    large.Append(buffer);
                    input.AdvanceTo(buffer.End);
                }
                else
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Close() was called
        }
        catch (MessagePackLimitExceededException ex)
        {
            LogLevel level = ProtocolErrorLevel(out long demoted);
            GatewayLog.FrameLimitExceeded(_logger, level, ConnectionId, ErrorOffset, ex.Limit, ex.LimitValue, ex.ActualValue, demoted);
            Close("frame over limit");
        }
        catch (MessagePackSerializationException ex)
        {
            LogLevel level = ProtocolErrorLevel(out long demoted);
            GatewayLog.MalformedInput(_logger, level, ConnectionId, ErrorOffset, ex.Message, demoted);
            Close("malformed input");
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or ConnectionAbortedException)
        {
            GatewayLog.ClientReset(_logger, ConnectionId, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The frame handler refused a frame it could not make sense of: that client alone is dropped.
            LogLevel level = ProtocolErrorLevel(out long demoted);
            GatewayLog.ProtocolViolation(_logger, level, ConnectionId, _frameStart, ex.GetType().Name, ex.Message, demoted);
            Close("protocol error");
        }
        finally
        {
            large?.Dispose();
        }
    }

    /// <summary>Hands every complete frame of <paramref name="buffer"/> to the handler; true when it stopped at the in-flight cap.</summary>
    private bool ProcessBuffer(IRapFrameHandler handler, ref ReadOnlySequence<byte> buffer)
    {
        Output.BeginBatch();
        try
        {
            while (!buffer.IsEmpty && !IsClosing)
            {
                if (InFlightCalls >= _options.MaxInFlightCallsPerConnection || IsOutputFull || IsReadingStopped)
                {
                    return true;
                }

                // The scanner resumes the frame at the buffer's start where the last read left it (it is the same
                // frame: unconsumed bytes stay in the pipe), so a frame arriving in many reads is scanned once.
                if (_scanner.TryReadNext(buffer, out long length) == MessagePackFrameStatus.NeedMoreData)
                {
                    return false;
                }

                SequencePosition end = buffer.GetPosition(length);
                DispatchFrame(handler, buffer.Slice(0, end));
                buffer = buffer.Slice(end);
            }

            return false;
        }
        finally
        {
            Output.EndBatch();
        }
    }

    /// <summary>As <see cref="ProcessBuffer"/> over the large-frame buffer; consumed frames are removed from it.</summary>
    private bool ProcessLarge(IRapFrameHandler handler, LargeFrameBuffer large)
    {
        Output.BeginBatch();
        int offset = 0;
        try
        {
            while (offset < large.Length && !IsClosing)
            {
                if (InFlightCalls >= _options.MaxInFlightCallsPerConnection || IsOutputFull || IsReadingStopped)
                {
                    return true;
                }

                // Resumes as in ProcessBuffer: the partial frame at the offset is the one the scanner has begun
                // (Consume below moves it to the buffer's start, where the next call finds it).
                ReadOnlySpan<byte> rest = large.Span[offset..];
                if (_scanner.TryReadNext(rest, out int length) == MessagePackFrameStatus.NeedMoreData)
                {
                    return false;
                }

                DispatchFrame(handler, new ReadOnlySequence<byte>(large.Memory.Slice(offset, length)));
                offset += length;
            }

            return false;
        }
        finally
        {
            large.Consume(offset);
            Output.EndBatch();
        }
    }

    // Answers pile up when the peer sends calls and does not read: past the limit, read no more requests.
    private bool IsOutputFull => Output.UnsentBytes >= _options.MaxUnsentOutputBytes;

    /// <summary>
    /// Waits until the peer has read enough of its answers; false when it did not within
    /// <see cref="RapGatewayOptions.OutputDrainTimeout"/> (the connection is then cut).
    /// </summary>
    private async Task<bool> WhenOutputDrainedAsync(CancellationToken stop)
    {
        long limit = _options.MaxUnsentOutputBytes;
        GatewayLog.ReadPausedForOutput(_logger, ConnectionId, Output.UnsentBytes, limit);
        try
        {
            await Output.WhenUnsentBelowAsync(limit).WaitAsync(_options.OutputDrainTimeout, TimeProvider, stop).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            GatewayLog.OutputDrainTimeout(_logger, ConnectionId, Output.UnsentBytes, limit, _options.OutputDrainTimeout);
            Close("peer does not read its answers");

            // The writer waits on a flush the peer will never let complete: abort the transport so it ends.
            _context.Abort(new ConnectionAbortedException("The peer did not read its answers within the output drain timeout."));
            return false;
        }
    }

    private void DispatchFrame(IRapFrameHandler handler, in ReadOnlySequence<byte> frame)
    {
        MarkReceived();
        handler.OnFrame(frame);
        _frameStart += frame.Length;
    }

    // Where in the connection's byte stream the scanner stopped: the frame's start plus what it had examined.
    private long ErrorOffset => _frameStart + _scanner.Consumed;

    private LogLevel ProtocolErrorLevel(out long demoted) =>
        _tracker.ProtocolErrorLog.TryTake(out demoted) ? LogLevel.Information : LogLevel.Debug;
}
