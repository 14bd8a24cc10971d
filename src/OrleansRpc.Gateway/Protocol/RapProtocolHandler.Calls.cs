using System.Collections.Concurrent;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Connections;
using OrleansRpc.Protocol.Errors;
using OrleansRpc.Server;

namespace OrleansRpc.Gateway.Protocol;

internal sealed partial class RapProtocolHandler
{
    // v0.5.3.8 generators parked between the client's call_id requests, by the protocol's generator id.
    private readonly ConcurrentDictionary<long, RapGeneratorStream> _legacyGenerators = new();

    public void OnCall(RapServerConnection connection, in RapCallRequest request)
    {
        t_callbackDepth++;
        try
        {
            RapCallContext context = CreateContext(request.Version, request.Header, request.Deadline);
            RapCallResult resolved = _dispatcher.Resolve(context, RapFrameKind.Call, request.Group, request.Name, out RapFunctionDescriptor? function);
            if (!resolved.IsSuccess)
            {
                Fail(request.Token, resolved);
                return;
            }

            CopiedArguments arguments = CopiedArguments.From(request);
            if (function!.Kind == RapFunctionKind.Generator)
            {
                StartLegacyGenerator(request.Token, function, context, arguments);
                return;
            }

            _connection.BeginCall();
            _ = RunCallAsync(request.Token, function, context, arguments);
        }
        finally
        {
            t_callbackDepth--;
        }
    }

    public void OnGeneratorNext(RapServerConnection connection, in RapCallRequest request)
    {
        t_callbackDepth++;
        try
        {
            if (!_legacyGenerators.TryGetValue(request.GeneratorId, out RapGeneratorStream? stream))
            {
                _protocol.FailCall(request.Token, RapErrorKind.RpcRunTimeError, RapErrorMessages.RpcRunTimeError);
                return;
            }

            _connection.BeginCall();
            _ = StepLegacyGeneratorAsync(request.Token, request.GeneratorId, stream);
        }
        finally
        {
            t_callbackDepth--;
        }
    }

    private async Task RunCallAsync(long token, RapFunctionDescriptor function, RapCallContext context, CopiedArguments arguments)
    {
        var output = new PooledBufferWriter(256);
        try
        {
            RapCallResult result = await _dispatcher.InvokeAsync(function, context, arguments.Arguments, output, _connection.ConnectionClosed).ConfigureAwait(false);
            if (result.IsSuccess)
            {
                _protocol.CompleteCall(token, output.WrittenSpan);
            }
            else
            {
                Fail(token, result);
            }
        }
        catch (Exception ex)
        {
            GatewayLog.AnswerFailed(_logger, _connection.ConnectionId, "call", token, ex);
            _protocol.FailCall(token, RapErrorKind.ServerError, "Server error. " + ex.Message);
        }
        finally
        {
            arguments.Dispose();
            output.Dispose();
            _connection.EndCall();
        }
    }

    /// <summary>v0.5.3.8: a call to an async generator starts it; the answer is its first item (or its end).</summary>
    private void StartLegacyGenerator(long token, RapFunctionDescriptor function, RapCallContext context, CopiedArguments arguments)
    {
        RapCallResult started;
        RapGeneratorStream? stream;
        using (arguments)
        {
            // Binding happens here, synchronously: the copied arguments are not needed afterwards.
            started = _dispatcher.StartGenerator(function, context, arguments.Arguments, out stream, _connection.ConnectionClosed);
        }

        if (!started.IsSuccess)
        {
            Fail(token, started);
            return;
        }

        if (!_protocol.StartGenerator(token, out long generatorId))
        {
            _ = stream!.DisposeAsync(); // the protocol refused it (user agent) and already answered
            return;
        }

        _legacyGenerators[generatorId] = stream!;
        _connection.BeginCall();
        _ = StepLegacyGeneratorAsync(token, generatorId, stream!);
    }

    private async Task StepLegacyGeneratorAsync(long token, long generatorId, RapGeneratorStream stream)
    {
        var output = new PooledBufferWriter(256);
        bool finished = true;
        try
        {
            RapGeneratorStep step = await stream.MoveNextAsync(output, _connection.ConnectionClosed).ConfigureAwait(false);
            switch (step)
            {
                case RapGeneratorStep.Item:
                    finished = false;
                    _protocol.CompleteCall(token, output.WrittenSpan);
                    break;
                case RapGeneratorStep.Completed:
                    _protocol.CompleteGeneratorEnd(token);
                    break;
                default:
                    Fail(token, stream.Failure);
                    break;
            }
        }
        catch (OperationCanceledException) when (_connection.ConnectionClosed.IsCancellationRequested)
        {
            // the connection is gone; nothing to answer
        }
        catch (Exception ex)
        {
            GatewayLog.AnswerFailed(_logger, _connection.ConnectionId, "generator", token, ex);
            _protocol.FailCall(token, RapErrorKind.ServerError, "Server error. " + ex.Message);
        }
        finally
        {
            output.Dispose();
            if (finished && _legacyGenerators.TryRemove(generatorId, out RapGeneratorStream? done))
            {
                await done.DisposeAsync().ConfigureAwait(false);
            }

            _connection.EndCall();
        }
    }
}
