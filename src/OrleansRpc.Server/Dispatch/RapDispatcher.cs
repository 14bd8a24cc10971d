using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Errors;

namespace OrleansRpc.Server;

/// <summary>
/// The seam between the gateway and the grains. The gateway resolves a function by frame kind, group and name
/// (<see cref="Resolve"/>: not-found and private checks with rap's exact texts), then hands the call to the grain
/// that hosts it: unary calls to the group's <see cref="IFunctionGroupGrain"/> stateless worker (or the session's
/// <see cref="ISessionGrain"/> when the function takes a <see cref="RapSession"/>), generators to a
/// <see cref="IGeneratorGrain"/> streaming method, channels to a <see cref="IChannelGrain"/>. No user code runs here.
/// See src/OrleansRpc.Server/README.md.
/// </summary>
public sealed class RapDispatcher
{
    private readonly IGrainFactory _grains;
    private readonly RapServerOptions _options;
    private readonly ILogger _logger;
    private readonly IRapDispatchObserver[] _observers;
    private readonly IRapStreamAdmission[] _admissions;

    public RapDispatcher(
        RapFunctionRegistry registry,
        IGrainFactory grainFactory,
        IOptions<RapServerOptions> options,
        ILogger<RapDispatcher>? logger = null,
        IEnumerable<IRapDispatchObserver>? observers = null,
        IEnumerable<IRapStreamAdmission>? admissions = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(grainFactory);
        ArgumentNullException.ThrowIfNull(options);
        Registry = registry;
        _grains = grainFactory;
        _options = options.Value;
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _observers = observers is null ? [] : [.. observers];
        _admissions = admissions is null ? [] : [.. admissions];
    }

    public RapFunctionRegistry Registry { get; }

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

    /// <summary>
    /// Whether a resolved channel or generator may start (rate limits and other <see cref="IRapStreamAdmission"/>s):
    /// <see cref="RapCallResult.Success"/>, or the error to answer instead of starting it.
    /// </summary>
    public RapCallResult Admit(RapFunctionDescriptor function, RapCallContext context)
    {
        foreach (IRapStreamAdmission admission in _admissions)
        {
            if (admission.Admit(function, context) is { } refusal)
            {
                return refusal;
            }
        }

        return RapCallResult.Success;
    }

    /// <summary>
    /// A HEAD connection whose calls used its session (the session key is the connection id) has closed: its session
    /// grain goes as soon as it is idle instead of after <see cref="RapServerOptions.SessionIdleTimeout"/>.
    /// </summary>
    public async Task EndSessionAsync(string sessionId)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        try
        {
            await _grains.GetGrain<ISessionGrain>(sessionId).EndAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the silo may be stopping: the grain goes with it
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RapServerLog.GrainCallFailed(_logger, "session", sessionId, ex);
        }
    }

    /// <summary>
    /// True when a unary call may join a batch (<see cref="InvokeBatchAsync"/>): a synchronous function that currently
    /// runs inline in its grain's turn (proven cheap, or declared so) and needs no session, so a batch never makes one
    /// call wait for a slow one.
    /// </summary>
    internal bool CanBatch(RapFunctionDescriptor function, RapCallContext context)
        => function.Kind == RapFunctionKind.Normal
            && function.Inlining is { } inlining
            && !(function.UsesSession && context.SessionId is not null)
            && (function.SynchronousExecution ?? _options.SynchronousExecution) switch
            {
                RapSynchronousExecution.Inline => true,
                RapSynchronousExecution.Adaptive => inlining.IsInline,
                _ => false,
            };

    /// <summary>
    /// Several calls of one group (see <see cref="CanBatch"/>) as one grain call: Orleans' per-call cost is paid once.
    /// A failure of the grain call itself answers every call of the batch with it.
    /// </summary>
    internal async ValueTask<RapReply[]> InvokeBatchAsync(RapFunctionDescriptor first, RapInvocation[] calls, CancellationToken cancellationToken)
    {
        var grain = first.GroupGrain ??= _grains.GetGrain<IFunctionGroupGrain>(first.Group);
        try
        {
            return (await grain.InvokeBatchAsync(new RapInvocationBatch { Calls = calls }, cancellationToken).ConfigureAwait(false)).Replies;
        }
        catch (Exception ex)
        {
            var failure = RapReply.Failure(GrainFailure(first, ex, cancellationToken));
            return [.. Enumerable.Repeat(failure, calls.Length)];
        }
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
    /// Invokes a unary function in its grain: the raw <paramref name="arguments"/> are copied into the call, which runs
    /// under the run timeout (and <c>X-rap-deadline</c>) in the grain; <paramref name="cancellationToken"/> (client
    /// gone, shutdown) cancels it there. The result msgpack is written to <paramref name="output"/>.
    /// </summary>
    public ValueTask<RapCallResult> InvokeAsync(
        RapFunctionDescriptor function, RapCallContext context, RapArguments arguments, IBufferWriter<byte> output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(output);
        if (function.Kind != RapFunctionKind.Normal)
        {
            return new(RapCallResult.Status(RapErrorKind.ProtocolError, "Protocol error. " + function.Name + " is not a unary function"));
        }

        ValueTask<RapReply> call;
        try
        {
            var invocation = RapInvocation.Create(function, context, arguments, cancellationToken);
            if (function.UsesSession && context.SessionId is { } session)
            {
                call = _grains.GetGrain<ISessionGrain>(session).InvokeAsync(invocation, cancellationToken);
            }
            else
            {
                var grain = function.GroupGrain ??= _grains.GetGrain<IFunctionGroupGrain>(function.Group);
                call = function.IsSynchronous ? grain.InvokeAsync(invocation, cancellationToken) : grain.InvokeInterleavedAsync(invocation, cancellationToken);
            }
        }
        catch (Exception ex)
        {
            return new(GrainFailure(function, ex, cancellationToken));
        }

        if (call.IsCompletedSuccessfully)
        {
            return new(Answer(call.Result, output));
        }

        return AwaitReplyAsync(call, function, output, cancellationToken);
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RapCallResult> AwaitReplyAsync(ValueTask<RapReply> call, RapFunctionDescriptor function, IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        RapReply reply;
        try
        {
            reply = await call.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return GrainFailure(function, ex, cancellationToken);
        }

        return Answer(reply, output);
    }

    private static RapCallResult Answer(RapReply reply, IBufferWriter<byte> output)
    {
        if (reply.Outcome == RapCallOutcome.Success)
        {
            output.Write(reply.Result);
            return RapCallResult.Success;
        }

        return reply.ToResult();
    }

    /// <summary>The grain call itself failed (cancelled, timed out in Orleans, silo gone): the function's result will not come.</summary>
    private RapCallResult GrainFailure(RapFunctionDescriptor function, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return RapFunctionExecutor.Cancelled;
        }

        if (exception is TimeoutException)
        {
            return RapFunctionExecutor.TimedOut(function);
        }

        RapServerLog.GrainCallFailed(_logger, function.Group, function.Name, exception);
        return RapCallResult.Status(RapErrorKind.RpcRunTimeError, RapErrorMessages.RpcRunTimeError);
    }

    /// <summary>
    /// Starts an async generator (0.5.3.8 first request with call_id −1; HEAD: after the first channel MSG carrying the
    /// parameter map) in its grain. The returned stream pulls items as the gateway reads them; a binding error or an
    /// exception of the generator comes as <see cref="RapGeneratorStep.Failed"/>. Disposing it (or
    /// <paramref name="cancellationToken"/>, the connection closing) cancels the generator.
    /// </summary>
    internal RapGeneratorStream StartGenerator(RapFunctionDescriptor function, RapCallContext context, RapArguments arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(context);
        if (function.Kind != RapFunctionKind.Generator)
        {
            throw new ArgumentException($"{function} is not an async generator", nameof(function));
        }

        var invocation = RapInvocation.Create(function, context, arguments);
        IRapGeneratorHost host = function.UsesSession && context.SessionId is { } session
            ? _grains.GetGrain<ISessionGrain>(session)
            : _grains.GetGrain<IGeneratorGrain>(Guid.NewGuid());
        var stream = new RapGeneratorStream(host, invocation, function.Name, _options.GeneratorBufferCapacity, cancellationToken);
        stream.Observation = Observe(static (o, f, c) => o.GeneratorStarted(f, c), function, context);
        return stream;
    }

    /// <summary>
    /// Opens a channel for a DECLARE in its grain and starts its handler there. The gateway delivers client MSG bodies
    /// with <see cref="RapChannelProxy.DeliverAsync"/>, sends what <see cref="RapChannelProxy.ReadOutgoingAsync"/> yields
    /// and ends it with <see cref="RapChannelProxy.End"/>; <paramref name="connectionClosed"/> ends it when it fires.
    /// </summary>
    internal RapChannelProxy OpenChannel(RapFunctionDescriptor function, RapCallContext context, string channelId, CancellationToken connectionClosed = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(context);
        if (function.Kind != RapFunctionKind.Channel)
        {
            throw new ArgumentException($"{function} is not a channel function", nameof(function));
        }

        var invocation = RapInvocation.Create(function, context, default);
        IRapChannelHost host = function.UsesSession && context.SessionId is { } session
            ? _grains.GetGrain<ISessionGrain>(session)
            : _grains.GetGrain<IChannelGrain>(Guid.NewGuid());
        var channel = new RapChannelProxy(host, Guid.NewGuid(), channelId, invocation, connectionClosed, _logger);
        if (Observe(static (o, f, c) => o.ChannelOpened(f, c), function, context) is { } observation)
        {
            _ = channel.Completion.ContinueWith(static (_, s) => ((IDisposable)s!).Dispose(), observation, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return channel;
    }

    /// <summary>Names a function's exception for the wire.</summary>
    public static RapCallResult FunctionFailure(Exception exception) => RapFunctionExecutor.FunctionFailure(exception);

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
}
