using System.Buffers;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Errors;
using OrleansRpc.Server.Dispatch;

namespace OrleansRpc.Server;

/// <summary>
/// Runs user functions inside a grain turn: looks the function up, binds the invocation's raw arguments with its
/// compiled invoker, runs it (synchronous functions inline once proven cheap, else on the thread pool) under the run
/// timeout, the client deadline and the grain call's cancellation, and encodes the result. Failures come back as a
/// <see cref="RapReply"/>, never as an exception, so nothing but plain data crosses the grain boundary.
/// One per silo; the server's grains (<see cref="FunctionGroupGrain"/>, <see cref="SessionGrain"/>, <see cref="GeneratorGrain"/>, <see cref="ChannelGrain"/>) use it.
/// </summary>
public sealed partial class RapFunctionExecutor
{
    private const int MaxKeptBufferBytes = 64 * 1024;

    private readonly RapServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationSourcePool _timeouts;
    private readonly IPythonExceptionMapper _mapper;
    private readonly long _inlineThreshold;

    [ThreadStatic]
    private static PooledBufferWriter? t_output;

    public RapFunctionExecutor(
        RapFunctionRegistry registry,
        IOptions<RapServerOptions> options,
        TimeProvider? time = null,
        ILogger<RapFunctionExecutor>? logger = null,
        IPythonExceptionMapper? exceptionMapper = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        Registry = registry;
        _options = options.Value;
        _options.Validate();
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _timeouts = new CancellationSourcePool(_time);
        _mapper = exceptionMapper ?? PythonExceptionMapper.Default;
        // In the time provider's timestamp units (Stopwatch ticks for the system clock).
        _inlineThreshold = (long)Math.Ceiling(_options.InlineSynchronousThreshold.Ticks * (double)_time.TimestampFrequency / TimeSpan.TicksPerSecond);
    }

    public RapFunctionRegistry Registry { get; }

    internal RapServerOptions Options => _options;

    internal ILogger Logger => _logger;

    /// <summary>
    /// True when <paramref name="function"/> (synchronous, unary) currently runs inline rather than on the thread pool:
    /// <see cref="RapSynchronousExecution.Inline"/>, or <see cref="RapSynchronousExecution.Adaptive"/> after it proved cheap.
    /// </summary>
    public bool RunsInline(RapFunctionDescriptor function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return function.Inlining is { } inlining && (function.SynchronousExecution ?? _options.SynchronousExecution) switch
        {
            RapSynchronousExecution.Inline => true,
            RapSynchronousExecution.Adaptive => inlining.IsInline,
            _ => false,
        };
    }

    /// <summary>The function an invocation addresses, of the given kind (the registry may differ from the gateway's only while it is reloaded).</summary>
    internal RapFunctionDescriptor? Find(RapInvocation invocation, RapFunctionKind kind)
        => Registry.TryGet(invocation.Group, invocation.Name, kind == RapFunctionKind.Channel, out var function) && function!.Kind == kind ? function : null;

    /// <summary>
    /// One unary call, in the calling grain's turn: binds, runs and encodes. <paramref name="session"/> is the session
    /// state when a session grain runs the call. User code runs without the activation's scheduler (as with
    /// <c>ConfigureAwait(false)</c>), so sync-over-async in a def-style function cannot deadlock the turn.
    /// </summary>
    public ValueTask<RapReply> InvokeAsync(RapInvocation invocation, RapSession? session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var function = Find(invocation, RapFunctionKind.Normal);
        if (function is null)
        {
            return new(RapReply.Failure(RapCallResult.Status(RapErrorKind.FuncNotFound, RapErrorMessages.NotFound(invocation.Name))));
        }

        var context = invocation.CreateContext();
        context.Session = session;
        var output = t_output ?? new PooledBufferWriter(256);
        t_output = null;

        // In the gateway's silo the caller's own token (see RapInvocation.CallerToken); elsewhere Orleans' token.
        CancellationToken token = invocation.CallerToken.CanBeCanceled ? invocation.CallerToken : cancellationToken;

        // In the turn: a synchronous function that proved cheap runs right here, anything slower moves to the thread
        // pool (SyncInvocation); an async function runs here up to its first await. A call that completes at once
        // allocates no task.
        ValueTask<RapCallResult> pending = ExecuteAsync(function, context, invocation.GetArguments(), output, token);
        if (pending.IsCompletedSuccessfully)
        {
            return new(Reply(pending.Result, output));
        }

        return AwaitReplyAsync(pending, output);
    }

    /// <summary>The calls of a batch one after the other (each completes at once unless it had to leave the turn).</summary>
    public ValueTask<RapReplyBatch> InvokeBatchAsync(RapInvocationBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var replies = new RapReply[batch.Calls.Length];
        for (int i = 0; i < replies.Length; i++)
        {
            ValueTask<RapReply> reply = InvokeAsync(batch.Calls[i], session: null, cancellationToken);
            if (!reply.IsCompletedSuccessfully)
            {
                return FinishBatchAsync(batch, replies, i, reply, cancellationToken);
            }

            replies[i] = reply.Result;
        }

        return new(new RapReplyBatch { Replies = replies });
    }

    private async ValueTask<RapReplyBatch> FinishBatchAsync(RapInvocationBatch batch, RapReply[] replies, int index, ValueTask<RapReply> pending, CancellationToken cancellationToken)
    {
        replies[index] = await pending.ConfigureAwait(false);
        for (int i = index + 1; i < replies.Length; i++)
        {
            replies[i] = await InvokeAsync(batch.Calls[i], session: null, cancellationToken).ConfigureAwait(false);
        }

        return new RapReplyBatch { Replies = replies };
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<RapReply> AwaitReplyAsync(ValueTask<RapCallResult> pending, PooledBufferWriter output)
        => Reply(await pending.ConfigureAwait(false), output);

    /// <summary>The reply of a finished call; the output buffer goes back to this thread's slot.</summary>
    private static RapReply Reply(in RapCallResult result, PooledBufferWriter output)
    {
        RapReply reply = result.IsSuccess ? RapReply.Success(output.WrittenSpan) : RapReply.Failure(result);
        if (output.WrittenCount + output.FreeCapacity <= MaxKeptBufferBytes)
        {
            output.Reset();
            t_output = output;
        }
        else
        {
            output.Dispose();
        }

        return reply;
    }

    /// <summary>Runs a unary call here and now: the binding, the run-timeout race and the error mapping.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<RapCallResult> ExecuteAsync(
        RapFunctionDescriptor function, RapCallContext context, RapArguments arguments, IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(output);
        if (function.Kind != RapFunctionKind.Normal)
        {
            return RapCallResult.Status(RapErrorKind.ProtocolError, "Protocol error. " + function.Name + " is not a unary function");
        }

        var timeout = RemainingTime(context);
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            return TimedOut(function);
        }

        var timeoutSource = _timeouts.Rent();
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeoutSource)
            : default;
        // A synchronous function sets the ambient context itself (on the thread that runs it).
        Prepare(function, context, timeoutSource.Token, setCurrent: !function.IsSynchronous);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            timeoutSource.CancelAfter(timeout);
        }

        try
        {
            if (function.IsSynchronous && RunsInline(function))
            {
                // Proved cheap (or marked so): here and now, like the synchronous part of an async function.
                var guardedInline = CallOutput.Rent(output);
                var inlineResult = RunInline(function, context, arguments, guardedInline, timeoutSource.Token);
                guardedInline.Return();
                return timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested ? TimedOut(function) : inlineResult;
            }

            if (function.IsSynchronous)
            {
                // def-style functions run as a pooled thread-pool work item, raced against the deadline so that a
                // blocking function is abandoned (and its token cancelled) in time, as rap abandons its worker thread.
                var invocation = SyncInvocation.Rent(this, function, context, arguments);
                var answer = invocation.Start(timeoutSource.Token, out var deadlineRegistration);
                RapCallResult syncResult;
                try
                {
                    syncResult = await answer.ConfigureAwait(false);
                }
                finally
                {
                    await deadlineRegistration.DisposeAsync().ConfigureAwait(false);
                }

                var timedOut = invocation.TimedOut || timeoutSource.IsCancellationRequested;
                invocation.Finish(output, copy: !timedOut && syncResult.IsSuccess);
                if (!timedOut)
                {
                    return syncResult;
                }

                return cancellationToken.IsCancellationRequested ? Cancelled : TimedOut(function);
            }

            ValueTask pending;
            var guarded = CallOutput.Rent(output);
            try
            {
                pending = StartUnary(function, context, arguments, guarded);
            }
            catch (Exception)
            {
                guarded.Return();
                throw;
            }

            if (!pending.IsCompletedSuccessfully)
            {
                try
                {
                    // Abandon (and cancel) a function that outlives its timeout, as rap does.
                    await pending.AsTask().WaitAsync(timeoutSource.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested)
                {
                    // The function may still finish later: its result must not reach the caller's buffer.
                    guarded.Detach();
                    return cancellationToken.IsCancellationRequested ? Cancelled : TimedOut(function);
                }
                catch (Exception)
                {
                    guarded.Return();
                    throw;
                }
            }
            else
            {
                pending.GetAwaiter().GetResult();
            }

            guarded.Return();

            if (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // A function ran past its limit: its late result is discarded, as rap does.
                return TimedOut(function);
            }

            return RapCallResult.Success;
        }
        catch (RapBindingException ex)
        {
            return ex.Result;
        }
        catch (Exception ex)
        {
            return Failure(function, ex, cancellationToken);
        }
        finally
        {
            if (_options.FlowCallContext)
            {
                RapCallContext.Current = null;
            }

            await registration.DisposeAsync().ConfigureAwait(false);
            _timeouts.Return(timeoutSource);
        }
    }

    /// <summary>
    /// Runs a synchronous function on this thread (its call context visible on it) and times it: under
    /// <see cref="RapSynchronousExecution.Adaptive"/> a call above the threshold moves the function to the thread pool.
    /// </summary>
    private RapCallResult RunInline(
        RapFunctionDescriptor function, RapCallContext context, RapArguments arguments, IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        var previous = RapCallContext.EnterThread(_options.FlowCallContext ? context : null);
        var start = _time.GetTimestamp();
        RapCallResult result;
        try
        {
            StartUnary(function, context, arguments, output).GetAwaiter().GetResult();
            result = RapCallResult.Success;
        }
        catch (Exception ex)
        {
            result = Failure(function, ex, cancellationToken);
        }
        finally
        {
            RapCallContext.ExitThread(previous);
        }

        if ((function.SynchronousExecution ?? _options.SynchronousExecution) == RapSynchronousExecution.Adaptive)
        {
            function.Inlining!.OnInlineRun(fast: _time.GetTimestamp() - start < _inlineThreshold);
        }

        return result;
    }

    /// <summary>Runs a synchronous function on the current (pool) thread, encoding into the invocation's buffer; times it for adaptive inlining.</summary>
    internal RapCallResult RunSynchronous(SyncInvocation invocation)
    {
        var context = invocation.Context;
        var function = invocation.Function;
        var previous = RapCallContext.EnterThread(_options.FlowCallContext ? context : null);
        var start = _time.GetTimestamp();
        RapCallResult result;
        try
        {
            StartUnary(function, context, invocation.Arguments, invocation.Buffer).GetAwaiter().GetResult();
            result = RapCallResult.Success;
        }
        catch (Exception ex)
        {
            result = Failure(function, ex, context.CancellationToken);
        }
        finally
        {
            RapCallContext.ExitThread(previous);
        }

        if ((function.SynchronousExecution ?? _options.SynchronousExecution) == RapSynchronousExecution.Adaptive)
        {
            function.Inlining!.OnPoolRun(fast: _time.GetTimestamp() - start < _inlineThreshold);
        }

        return result;
    }

    private static ValueTask StartUnary(RapFunctionDescriptor function, RapCallContext context, RapArguments arguments, IBufferWriter<byte> output)
    {
        if (arguments.Version == RapVersion.Head)
        {
            var reader = new MessagePackReader(arguments.Primary);
            return function.Invokers.HeadUnary!(function.Target, ref reader, context, output);
        }

        var param = new MessagePackReader(arguments.Primary);
        var defaults = new MessagePackReader(arguments.Defaults);
        return function.Invokers.LegacyUnary!(function.Target, ref param, ref defaults, arguments.HasDefaults, function.Name, context, output);
    }

    private void Prepare(RapFunctionDescriptor function, RapCallContext context, CancellationToken token, bool setCurrent = true)
    {
        context.Function = function;
        context.CancellationToken = token;
        if (setCurrent && _options.FlowCallContext)
        {
            RapCallContext.Current = context;
        }
    }

    private TimeSpan RemainingTime(RapCallContext context)
    {
        var timeout = _options.RunTimeout;
        if (context.Deadline is { } deadline)
        {
            // HEAD's X-rap-deadline: remaining = deadline − now (rap HEAD has the sign flipped; we do not copy that).
            var remaining = deadline - _time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                return TimeSpan.Zero;
            }

            if (timeout == Timeout.InfiniteTimeSpan || remaining < timeout)
            {
                timeout = remaining;
            }
        }

        return timeout;
    }

    internal static RapCallResult Cancelled => RapCallResult.FunctionError("CancelledError", "call cancelled");

    internal static RapCallResult TimedOut(RapFunctionDescriptor function)
        => RapCallResult.FunctionError("RpcRunTimeError", RapErrorMessages.CallTimeout(function.Name));

    internal RapCallResult Failure(RapFunctionDescriptor function, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // The client is gone or the server stops: the answer will not be read, keep it short.
            return Cancelled;
        }

        if (exception is RapResultException)
        {
            RapServerLog.ResultNotEncodable(_logger, function.Group, function.Name, exception);
        }

        if (exception is RapBindingException or RapResultException)
        {
            return FunctionFailure(exception);
        }

        var python = _mapper.Map(exception);
        return RapCallResult.FunctionError(python.Name, python.Message);
    }

    /// <summary>Names a function's exception for the wire.</summary>
    public static RapCallResult FunctionFailure(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            RapBindingException binding => binding.Result,
            RapResultException => RapCallResult.Status(RapErrorKind.RpcRunTimeError, RapErrorMessages.RpcRunTimeError),
            _ => PythonExceptionMapper.Default.Map(exception) is var python ? RapCallResult.FunctionError(python.Name, python.Message) : default,
        };
    }
}
