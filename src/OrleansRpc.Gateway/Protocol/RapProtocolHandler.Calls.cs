using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Connections;
using OrleansRpc.Protocol.Errors;
using OrleansRpc.Server;

namespace OrleansRpc.Gateway.Protocol;

internal sealed partial class RapProtocolHandler
{
    // v0.5.3.8 generators parked between the client's call_id requests, by the protocol's generator id (created on
    // first use: most connections never start one).
    private readonly LazyConcurrentDictionary<long, RapGeneratorStream> _legacyGenerators = new();

    // Unary calls held back until the end of the current read (read loop only: no lock needed).
    private readonly List<PendingCall> _batchCalls = [];
    private readonly List<RapInvocation> _batchInvocations = [];
    private RapFunctionDescriptor? _batchFunction;

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

            if (function!.Kind == RapFunctionKind.Generator)
            {
                RapCallResult admitted = _dispatcher.Admit(function, context);
                if (!admitted.IsSuccess)
                {
                    Fail(request.Token, admitted);
                    return;
                }

                StartLegacyGenerator(request.Token, function, context, RapArguments.From(request));
                return;
            }

            NoteSession(function, context);
            _connection.BeginCall();
            if (_dispatcher.CanBatch(function, context))
            {
                // Cheap calls of one group that arrived in the same read go to their grain together (OnFramesEnd).
                AddToBatch(function, context, request);
                return;
            }

            PendingCall.Start(this, _dispatcher, function, context, request, _connection.ConnectionClosed);
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

    public void OnFramesEnd() => FlushBatch();

    private void AddToBatch(RapFunctionDescriptor function, RapCallContext context, in RapCallRequest request)
    {
        if (_batchFunction is not null && _batchFunction.Group != function.Group)
        {
            FlushBatch();
        }

        _batchFunction ??= function;
        _batchCalls.Add(PendingCall.ForBatch(this, request.Token));
        _batchInvocations.Add(RapInvocation.Create(function, context, RapArguments.From(request), _connection.ConnectionClosed));
    }

    /// <summary>Sends the held-back calls: one alone as a normal grain call, several as one batch call.</summary>
    private void FlushBatch()
    {
        if (_batchFunction is not { } first)
        {
            return;
        }

        PendingCall[] calls = [.. _batchCalls];
        RapInvocation[] invocations = [.. _batchInvocations];
        _batchCalls.Clear();
        _batchInvocations.Clear();
        _batchFunction = null;
        _ = RunBatchAsync(first, calls, invocations);
    }

    private async Task RunBatchAsync(RapFunctionDescriptor first, PendingCall[] calls, RapInvocation[] invocations)
    {
        RapReply[] replies = await _dispatcher.InvokeBatchAsync(first, invocations, _connection.ConnectionClosed).ConfigureAwait(false);
        t_callbackDepth++;
        try
        {
            for (int i = 0; i < calls.Length; i++)
            {
                calls[i].FinishWith(replies[i]);
            }
        }
        finally
        {
            t_callbackDepth--;
        }

        // All the answers leave with one move to the output.
        AfterProtocolCall();
    }

    /// <summary>The answer of a unary call (<see cref="PendingCall"/>): its result bytes, a failed result, or a gateway fault.</summary>
    internal void AnswerCall(long token, in RapCallResult result, ReadOnlySpan<byte> resultMsgpack, Exception? failure)
    {
        if (failure is not null)
        {
            GatewayLog.AnswerFailed(_logger, _connection.ConnectionId, "call", token, failure);
            _protocol.FailCall(token, RapErrorKind.ServerError, "Server error. " + failure.Message);
        }
        else if (result.IsSuccess)
        {
            _protocol.CompleteCall(token, resultMsgpack);
        }
        else
        {
            Fail(token, result);
        }
    }

    /// <summary>A call counted by <see cref="Gateway.Connections.RapConnection.BeginCall"/> is over.</summary>
    internal void CallEnded() => _connection.EndCall();

    /// <summary>
    /// v0.5.3.8: a call to an async generator starts it in its grain (the arguments are copied into the call); the answer
    /// is its first item, its end, or its failure (a binding error included).
    /// </summary>
    private void StartLegacyGenerator(long token, RapFunctionDescriptor function, RapCallContext context, RapArguments arguments)
    {
        if (!_protocol.StartGenerator(token, out long generatorId))
        {
            return; // the protocol refused it (user agent) and already answered
        }

        RapGeneratorStream stream = _dispatcher.StartGenerator(function, context, arguments, _connection.ConnectionClosed);
        _legacyGenerators[generatorId] = stream;
        _connection.BeginCall();
        _ = StepLegacyGeneratorAsync(token, generatorId, stream);
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
