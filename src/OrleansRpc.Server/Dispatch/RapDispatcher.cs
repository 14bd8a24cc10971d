using System.Buffers;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansRpc.Grains;
using OrleansRpc.Grains.Streams;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Errors;
using OrleansRpc.Server.Dispatch;

namespace OrleansRpc.Server;

/// <summary>
/// The seam between the gateway and user functions. The gateway resolves a function by frame kind, group and
/// name (<see cref="Resolve"/>: not-found and private checks with rap's exact texts), then invokes it with the raw
/// argument bytes; the dispatcher binds them with the function's compiled invoker, runs it (synchronous functions
/// on the thread pool) under the run timeout and the caller's cancellation, and writes the result straight into
/// the caller's buffer. Failures come back as a <see cref="RapCallResult"/>, never as an exception.
/// See src/OrleansRpc.Server/README.md.
/// </summary>
public sealed class RapDispatcher
{
    private readonly RapSessionStore _sessions;
    private readonly RapServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationSourcePool _timeouts;
    private readonly IPythonExceptionMapper _mapper;
    private readonly IGrainFactory? _grains;
    private readonly IStreamProvider _streams;
    private readonly IRapDispatchObserver[] _observers;
    private readonly long _inlineThreshold;

    private static readonly GrainMethod s_invoke = GrainMethod.Create<IFunctionGroupGrain>(nameof(IFunctionGroupGrain.InvokeAsync));
    private static readonly GrainMethod s_invokeInterleaved = GrainMethod.Create<IFunctionGroupGrain>(nameof(IFunctionGroupGrain.InvokeInterleavedAsync));
    private static readonly Func<IFunctionGroupGrain, GrainCallState, CancellationToken, ValueTask<RapCallResult>> s_invokeBody =
        static (grain, s, ct) => grain.InvokeAsync(s.Function, s.Context, s.Arguments, s.Output, ct);
    private static readonly Func<IFunctionGroupGrain, GrainCallState, CancellationToken, ValueTask<RapCallResult>> s_invokeInterleavedBody =
        static (grain, s, ct) => grain.InvokeInterleavedAsync(s.Function, s.Context, s.Arguments, s.Output, ct);


    public RapDispatcher(
        RapFunctionRegistry registry,
        RapSessionStore sessions,
        IOptions<RapServerOptions> options,
        TimeProvider? time = null,
        ILogger<RapDispatcher>? logger = null,
        IPythonExceptionMapper? exceptionMapper = null,
        IGrainFactory? grainFactory = null,
        IStreamProvider? streamProvider = null,
        IEnumerable<IRapDispatchObserver>? observers = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        Registry = registry;
        _sessions = sessions;
        _options = options.Value;
        _options.Validate();
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _timeouts = new CancellationSourcePool(_time);
        _mapper = exceptionMapper ?? PythonExceptionMapper.Default;
        // The production path (AddRapServer) hosts calls in grains; a dispatcher built by hand without a grain
        // factory, or with UseFunctionGroupGrains = false, runs them directly (benchmarks, unit tests).
        _grains = _options.UseFunctionGroupGrains ? grainFactory : null;
        _streams = streamProvider ?? MemoryStreams.CreateProvider(RapStreams.ProviderName);
        _observers = observers is null ? [] : [.. observers];
        // In the time provider's timestamp units (Stopwatch ticks for the system clock).
        _inlineThreshold = (long)Math.Ceiling(_options.InlineSynchronousThreshold.Ticks * (double)_time.TimestampFrequency / TimeSpan.TicksPerSecond);
    }

    /// <summary>True when unary calls run in <see cref="IFunctionGroupGrain"/> activations (the production path).</summary>
    public bool UsesGrains => _grains is not null;

    public RapFunctionRegistry Registry { get; }

    public RapSessionStore Sessions => _sessions;

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

    /// <summary>
    /// Finds the function a frame addresses. HEAD: a call finds normal functions, a channel DECLARE finds channels and
    /// generators. 0.5.3.8: a call finds normal functions and generators, a channel declare finds channels.
    /// Returns <see cref="RapCallResult.Success"/> with <paramref name="function"/>, or the not-found / no-permission answer.
    /// </summary>
    public RapCallResult Resolve(RapCallContext context, RapFrameKind frame, string group, string name, out RapFunctionDescriptor? function)
    {
        ArgumentNullException.ThrowIfNull(context);
        function = null;
        RapFunctionDescriptor? found;
        if (frame == RapFrameKind.Channel)
        {
            if (!Registry.TryGet(group, name, channelFrame: true, out found)
                && !(context.Version == RapVersion.Head && Registry.TryGet(group, name, channelFrame: false, out found) && found!.Kind == RapFunctionKind.Generator))
            {
                found = null;
            }
        }
        else if (!Registry.TryGet(group, name, channelFrame: false, out found)
            || (context.Version == RapVersion.Head && found!.Kind == RapFunctionKind.Generator))
        {
            found = null;
        }

        if (found is null)
        {
            return RapCallResult.Status(RapErrorKind.FuncNotFound, RapErrorMessages.NotFound(name));
        }

        if (found.IsPrivate && !context.IsLocalPeer)
        {
            var text = context.Version == RapVersion.Head
                ? RapErrorMessages.NoPermission(name)
                : RapErrorMessages.NoPermission(name, context.Peer.Host ?? string.Empty, context.Peer.Port);
            return RapCallResult.Status(RapErrorKind.FuncNotFound, text);
        }

        function = found;
        return RapCallResult.Success;
    }

    /// <summary>Resolves (as a call) and invokes.</summary>
    public ValueTask<RapCallResult> InvokeAsync(
        RapCallContext context, string group, string name, RapArguments arguments, IBufferWriter<byte> output, CancellationToken cancellationToken = default)
    {
        var resolved = Resolve(context, RapFrameKind.Call, group, name, out var function);
        if (!resolved.IsSuccess)
        {
            return new(resolved);
        }

        if (function!.Kind != RapFunctionKind.Normal)
        {
            return new(RapCallResult.Status(RapErrorKind.ProtocolError, "Protocol error. " + name + " is an async generator: use StartGenerator"));
        }

        return InvokeAsync(function, context, arguments, output, cancellationToken);
    }

    /// <summary>
    /// Invokes a unary function: binds <paramref name="arguments"/>, runs the function under the run timeout (and
    /// <c>X-rap-deadline</c>) and <paramref name="cancellationToken"/> (client gone / shutdown), writes the result
    /// msgpack to <paramref name="output"/>. On failure <paramref name="output"/> may hold partial bytes: discard them.
    /// </summary>
    public ValueTask<RapCallResult> InvokeAsync(
        RapFunctionDescriptor function, RapCallContext context, RapArguments arguments, IBufferWriter<byte> output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        return _grains is null
            ? ExecuteAsync(function, context, arguments, output, cancellationToken)
            : InvokeThroughGrain(function, context, arguments, output, cancellationToken);
    }

    /// <summary>Runs a unary call here and now (what a <see cref="FunctionGroupGrain"/> activation does in its turn).</summary>
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
                // def-style functions never run on the gateway's I/O loop: a pooled work item on the thread pool,
                // raced against the deadline so that a blocking function is abandoned (and its token cancelled) in time.
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

                return cancellationToken.IsCancellationRequested
                    ? RapCallResult.FunctionError("CancelledError", "call cancelled")
                    : TimedOut(function);
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
                    return cancellationToken.IsCancellationRequested
                        ? RapCallResult.FunctionError("CancelledError", "call cancelled")
                        : TimedOut(function);
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
                // A synchronous function ran past its limit: its late result is discarded, as rap does.
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

    // The production path: the call becomes a grain call on the group's stateless worker; the run timeout is its
    // response timeout and the connection's token its cancellation. No async state machine: the grain call's task is
    // returned through the call's pooled output object (CallOutput), which maps its outcome.
    private ValueTask<RapCallResult> InvokeThroughGrain(
        RapFunctionDescriptor function, RapCallContext context, RapArguments arguments, IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(output);
        if (function.Kind != RapFunctionKind.Normal)
        {
            return new(RapCallResult.Status(RapErrorKind.ProtocolError, "Protocol error. " + function.Name + " is not a unary function"));
        }

        var timeout = RemainingTime(context);
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            return new(TimedOut(function));
        }

        if (function.UsesSession && context.SessionId is not null)
        {
            return InvokeWithSessionAsync(function, context, arguments, output, timeout, cancellationToken);
        }

        return CallGroupGrain(function, context, arguments, output, timeout, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RapCallResult> InvokeWithSessionAsync(
        RapFunctionDescriptor function, RapCallContext context, RapArguments arguments, IBufferWriter<byte> output, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            context.Session = await _grains!.GetGrain<ISessionGrain>(context.SessionId!).GetSessionAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            RapServerLog.GrainCallFailed(_logger, function.Group, function.Name, ex);
            return RapCallResult.Status(RapErrorKind.RpcRunTimeError, RapErrorMessages.RpcRunTimeError);
        }

        return await CallGroupGrain(function, context, arguments, output, timeout, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask<RapCallResult> CallGroupGrain(
        RapFunctionDescriptor function, RapCallContext context, RapArguments arguments, IBufferWriter<byte> output, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reference = function.GroupGrain ??= (GrainReference)_grains!.GetGrain<IFunctionGroupGrain>(function.Group);
        var guarded = CallOutput.Rent(output);
        var options = new GrainCallOptions
        {
            ResponseTimeout = timeout == Timeout.InfiniteTimeSpan ? TimeSpan.MaxValue : timeout,
            CancellationToken = cancellationToken,
            // An idle worker may start the turn right here. The turn blocks this thread only for a synchronous
            // function that runs inline, i.e. one that proved cheap (Adaptive) or was declared so (Inline).
            AllowInlineExecution = true,
        };
        var state = new GrainCallState(function, context, arguments, guarded);
        ValueTask<RapCallResult> call;
        try
        {
            call = function.IsSynchronous
                ? reference.InvokeAsync(s_invoke, state, s_invokeBody, options)
                : reference.InvokeAsync(s_invokeInterleaved, state, s_invokeInterleavedBody, options);
        }
        catch (Exception ex)
        {
            guarded.Detach();
            RapServerLog.GrainCallFailed(_logger, function.Group, function.Name, ex);
            return new(RapCallResult.Status(RapErrorKind.RpcRunTimeError, RapErrorMessages.RpcRunTimeError));
        }

        return guarded.AwaitGrainCall(this, function, call, cancellationToken);
    }

    /// <summary>The caller's answer from a completed grain call; detaches the output when the function's result will not come.</summary>
    internal RapCallResult EndGrainCall(
        CallOutput output, RapFunctionDescriptor function, ConfiguredValueTaskAwaitable<RapCallResult>.ConfiguredValueTaskAwaiter call, CancellationToken cancellationToken)
    {
        try
        {
            return call.GetResult();
        }
        catch (TimeoutException)
        {
            // Abandoned at the run timeout (its token is cancelled by the runtime): a late result must not reach the buffer.
            output.Detach();
            return TimedOut(function);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.Detach();
            return RapCallResult.FunctionError("CancelledError", "call cancelled");
        }
        catch (Exception ex)
        {
            // The grain runtime itself failed (e.g. shutting down, queue full): the function did not run to completion.
            output.Detach();
            RapServerLog.GrainCallFailed(_logger, function.Group, function.Name, ex);
            return RapCallResult.Status(RapErrorKind.RpcRunTimeError, RapErrorMessages.RpcRunTimeError);
        }
    }

    /// <summary>
    /// The body of a function-group grain call, inside the turn: binds, runs and encodes. User code runs without the
    /// activation's scheduler (as with <c>ConfigureAwait(false)</c>), so its continuations never queue behind a
    /// synchronous call on the same worker, and sync-over-async in a def-style function cannot deadlock the turn.
    /// Not async: a call that completes at once allocates nothing here.
    /// </summary>
    internal ValueTask<RapCallResult> RunInTurn(
        RapFunctionDescriptor function, RapCallContext context, RapArguments arguments, IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        context.Function = function;
        context.CancellationToken = cancellationToken;
        context.SessionStore = _sessions;
        var scheduler = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            if (function.IsSynchronous)
            {
                if (RunsInline(function))
                {
                    return new(RunInline(function, context, arguments, output, cancellationToken));
                }

                // def-style: a pooled thread-pool work item, awaited by the turn. The worker stays busy (its next
                // synchronous call waits: the cap holds) but its scheduler is free for interleaved calls, and the
                // caller's thread is never blocked. No race against the deadline here: the runtime answers the caller
                // at the response timeout and cancels the token; the worker is released when the function returns.
                return SyncInvocation.Rent(this, function, context, arguments, output as CallOutput).StartInTurn();
            }

            return RunAsyncFunction(function, context, arguments, output, cancellationToken);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(scheduler);
        }
    }

    // An async-shaped function: inline up to its first await, RapCallContext.Current flowing with it.
    private ValueTask<RapCallResult> RunAsyncFunction(
        RapFunctionDescriptor function, RapCallContext context, RapArguments arguments, IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        var flow = _options.FlowCallContext;
        var caller = flow ? ExecutionContext.Capture() : null;
        var thread = RapCallContext.EnterThread(null);
        if (flow)
        {
            RapCallContext.Current = context;
        }

        ValueTask pending;
        try
        {
            pending = StartUnary(function, context, arguments, output);
        }
        catch (Exception ex)
        {
            return new(Failure(function, ex, cancellationToken));
        }
        finally
        {
            RapCallContext.ExitThread(thread);
            if (caller is not null)
            {
                // Back to the caller's flow without allocating (the function's continuations keep the context).
                ExecutionContext.Restore(caller);
            }
            else if (flow)
            {
                RapCallContext.Current = null;
            }
        }

        if (pending.IsCompletedSuccessfully)
        {
            pending.GetAwaiter().GetResult();
            return new(RapCallResult.Success);
        }

        return AwaitUnaryAsync(pending, function, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RapCallResult> AwaitUnaryAsync(ValueTask pending, RapFunctionDescriptor function, CancellationToken cancellationToken)
    {
        try
        {
            await pending.ConfigureAwait(false);
            return RapCallResult.Success;
        }
        catch (Exception ex)
        {
            return Failure(function, ex, cancellationToken);
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

    /// <summary>
    /// Starts an async generator (0.5.3.8 first request with call_id −1; HEAD: after the first channel MSG carrying the
    /// parameter map). Binding errors come back as the result with a null stream. The stream runs until exhausted,
    /// failed or disposed; <paramref name="cancellationToken"/> (connection closed) cancels it as well.
    /// </summary>
    public RapCallResult StartGenerator(
        RapFunctionDescriptor function, RapCallContext context, RapArguments arguments, out RapGeneratorStream? stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(context);
        stream = null;
        if (function.Kind != RapFunctionKind.Generator)
        {
            return RapCallResult.Status(RapErrorKind.ProtocolError, "Protocol error. " + function.Name + " is not an async generator");
        }

        var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Prepare(function, context, cancel.Token);
        RapItemSource source;
        try
        {
            if (arguments.Version == RapVersion.Head)
            {
                var reader = new MessagePackReader(arguments.Primary);
                source = function.Invokers.HeadGenerator!(function.Target, ref reader, context, null);
            }
            else
            {
                var param = new MessagePackReader(arguments.Primary);
                var defaults = new MessagePackReader(arguments.Defaults);
                source = function.Invokers.LegacyGenerator!(function.Target, ref param, ref defaults, arguments.HasDefaults, function.Name, context, null);
            }
        }
        catch (RapBindingException ex)
        {
            cancel.Dispose();
            return ex.Result;
        }
        catch (Exception ex)
        {
            cancel.Dispose();
            return Failure(function, ex, cancellationToken);
        }
        finally
        {
            RapCallContext.Current = null;
        }

        stream = new RapGeneratorStream(source, context, cancel, _streams, _options, function.Name);
        stream.Observation = Observe(static (o, f, c) => o.GeneratorStarted(f, c), function, context);
        return RapCallResult.Success;
    }

    /// <summary>
    /// Opens a channel for a DECLARE and starts its handler. The gateway then feeds <c>RapChannel.DeliverAsync</c>,
    /// drains <see cref="RapChannel.Outgoing"/>, and calls <see cref="RapChannel.Drop"/> / <see cref="RapChannel.Abort"/>.
    /// <paramref name="connectionClosed"/> (the connection's lifetime token) aborts the channel when it fires.
    /// </summary>
    public RapChannel OpenChannel(RapFunctionDescriptor function, RapCallContext context, string channelId, CancellationToken connectionClosed = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(context);
        if (function.Kind != RapFunctionKind.Channel)
        {
            throw new ArgumentException($"{function} is not a channel function", nameof(function));
        }

        var channel = new RapChannel(channelId, context, _streams, _options.ChannelBufferCapacity);
        Prepare(function, context, channel.Aborted);
        RapCallContext.Current = null;
        var registration = connectionClosed.CanBeCanceled
            ? connectionClosed.UnsafeRegister(static s => ((RapChannel)s!).Abort(RapChannelEndReason.ConnectionLost), channel)
            : default;
        channel.HandlerTask = RunChannelAsync(function, channel, context, registration);
        if (Observe(static (o, f, c) => o.ChannelOpened(f, c), function, context) is { } observation)
        {
            _ = channel.Completion.ContinueWith(static (_, s) => ((IDisposable)s!).Dispose(), observation, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return channel;
    }

    /// <summary>Tells the observers about a channel or generator; their scopes end together.</summary>
    private IDisposable? Observe(Func<IRapDispatchObserver, RapFunctionDescriptor, RapCallContext, IDisposable?> notify, RapFunctionDescriptor function, RapCallContext context)
    {
        if (_observers.Length == 0)
        {
            return null;
        }

        List<IDisposable>? scopes = null;
        foreach (var observer in _observers)
        {
            if (notify(observer, function, context) is { } scope)
            {
                (scopes ??= []).Add(scope);
            }
        }

        return scopes is null ? null : new ObservationScopes(scopes);
    }

    private sealed class ObservationScopes(List<IDisposable> scopes) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                scopes.ForEach(static s => s.Dispose());
            }
        }
    }

    /// <summary>Names a function's exception for the wire.</summary>
    public static RapCallResult FunctionFailure(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            RapBindingException binding => binding.Result,
            RapResultException => RapCallResult.Status(RapErrorKind.RpcRunTimeError, RapErrorMessages.RpcRunTimeError),
            _ => FromPython(PythonExceptionMapper.Default.Map(exception)),
        };
    }

    private static RapCallResult FromPython(PythonException exception) => RapCallResult.FunctionError(exception.Name, exception.Message);

    private async Task RunChannelAsync(RapFunctionDescriptor function, RapChannel channel, RapCallContext context, CancellationTokenRegistration registration)
    {
        await Task.Yield();
        RapCallContext.Current = context;
        Exception? failure = null;
        try
        {
            await function.Invokers.Channel!(function.Target, channel, context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
            if (ex is not OperationCanceledException || !channel.IsClosed)
            {
                RapServerLog.ChannelHandlerFailed(_logger, function.Group, function.Name, ex);
            }
        }
        finally
        {
            RapCallContext.Current = null;
            await registration.DisposeAsync().ConfigureAwait(false);
        }

        channel.HandlerFinished(failure);
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

    private ValueTask StartUnary(RapFunctionDescriptor function, RapCallContext context, RapArguments arguments, IBufferWriter<byte> output)
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
        context.SessionStore = _sessions;

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

    private static RapCallResult TimedOut(RapFunctionDescriptor function)
        => RapCallResult.FunctionError("RpcRunTimeError", RapErrorMessages.CallTimeout(function.Name));

    private RapCallResult Failure(RapFunctionDescriptor function, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // The client is gone or the server stops: the answer will not be read, keep it short.
            return RapCallResult.FunctionError("CancelledError", "call cancelled");
        }

        if (exception is RapResultException)
        {
            RapServerLog.ResultNotEncodable(_logger, function.Group, function.Name, exception);
        }

        return exception is RapBindingException or RapResultException ? FunctionFailure(exception) : FromPython(_mapper.Map(exception));
    }
}
