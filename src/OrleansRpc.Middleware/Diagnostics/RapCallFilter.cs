using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using OrleansRpc.MessagePack;
using OrleansRpc.Middleware.RateLimiting;
using OrleansRpc.Protocol.Errors;
using OrleansRpc.Protocol.Frames;
using OrleansRpc.Server;

namespace OrleansRpc.Middleware.Diagnostics;

/// <summary>
/// The call processors at the grain boundary: one Orleans <see cref="IIncomingGrainCallFilter"/> that, for every unary rap
/// call (a grain call carrying a <see cref="RapInvocation"/> and answering a <see cref="RapReply"/>), opens the call's
/// span, applies the rate-limit rules (a refused call is answered TooManyRequest without running), then records metrics
/// and the access-log line. Other grain calls pass untouched.
/// </summary>
public sealed class RapCallFilter : IIncomingGrainCallFilter
{
    private static readonly KeyValuePair<string, object?>[] s_noTags = [];
    private readonly RapTelemetryOptions _options;
    private readonly RapMiddlewareInstruments _instruments;
    private readonly RapRateLimiter? _limiter;
    private readonly TimeProvider _time;
    private readonly ILogger _accessLog;
    private readonly ILogger _logger;

    public RapCallFilter(
        IOptions<RapTelemetryOptions> options,
        RapMiddlewareInstruments instruments,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        RapRateLimiter? limiter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options.Value;
        _instruments = instruments;
        _time = timeProvider;
        _limiter = limiter;
        _accessLog = loggerFactory.CreateLogger(AccessLog.Category);
        _logger = loggerFactory.CreateLogger<RapCallFilter>();
    }

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.GetArgumentCount() == 2 && context.Request.GetArgument(0) is RapInvocationBatch batch)
        {
            await InvokeBatchAsync(context, batch).ConfigureAwait(true);
            return;
        }

        if (context.Request.GetArgumentCount() != 2 || context.Request.GetArgument(0) is not RapInvocation call
            || context.InterfaceMethod?.ReturnType != typeof(ValueTask<RapReply>))
        {
            await context.Invoke().ConfigureAwait(true);
            return;
        }

        RapCaller rap = call.Caller;
        (string Group, string Name) function = (call.Group, call.Name);
        string generation = RapGeneration.Of(rap.Version);
        long started = _time.GetTimestamp();
        Activity? activity = _options.Tracing ? StartActivity(call.Group, call.Name, call.Header, rap.PeerHost, rap.PeerPort, generation) : null;
        KeyValuePair<string, object?>[] tags = _options.Metrics
            ? [new("rap.group", function.Group), new("rap.function", function.Name), new("rap.generation", generation)]
            : s_noTags;
        if (_options.Metrics)
        {
            _instruments.InFlight.Add(1, tags);
        }

        RapCallResult result = default;
        bool failed = false;
        try
        {
            if (_limiter?.Check(function.Group, function.Name, rap.PeerHost, call.Header) is { } refusal)
            {
                result = RapCallResult.Status(RapErrorKind.TooManyRequest, refusal.Message);
                context.Result = RapReply.Failure(result);
                _instruments.RateLimited.Add(1, new KeyValuePair<string, object?>("rule", refusal.Rule));
                MiddlewareLog.RateLimited(_logger, function.Group, function.Name, rap.PeerHost, refusal.Rule);
            }
            else
            {
                await context.Invoke().ConfigureAwait(true);
                result = context.Result is RapReply answered ? answered.ToResult() : default;
            }
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            Complete(function, rap, generation, tags, started, activity, result, failed);
        }
    }

    /// <summary>
    /// A batch of unary calls (one grain call for several rap calls): each call is rate limited, measured, traced and
    /// logged as if it came alone; refused calls are answered here and the rest go to the grain.
    /// </summary>
    private async Task InvokeBatchAsync(IIncomingGrainCallContext context, RapInvocationBatch batch)
    {
        RapInvocation[] calls = batch.Calls;
        long started = _time.GetTimestamp();
        var answers = new RapReply?[calls.Length];
        var activities = new Activity?[calls.Length];
        var tags = new KeyValuePair<string, object?>[calls.Length][];
        int admitted = 0;
        for (int i = 0; i < calls.Length; i++)
        {
            RapInvocation call = calls[i];
            string generation = RapGeneration.Of(call.Caller.Version);
            activities[i] = _options.Tracing ? StartActivity(call.Group, call.Name, call.Header, call.Caller.PeerHost, call.Caller.PeerPort, generation) : null;
            tags[i] = _options.Metrics
                ? [new("rap.group", call.Group), new("rap.function", call.Name), new("rap.generation", generation)]
                : s_noTags;
            if (_options.Metrics)
            {
                _instruments.InFlight.Add(1, tags[i]);
            }

            if (_limiter?.Check(call.Group, call.Name, call.Caller.PeerHost, call.Header) is { } refusal)
            {
                answers[i] = RapReply.Failure(RapCallResult.Status(RapErrorKind.TooManyRequest, refusal.Message));
                _instruments.RateLimited.Add(1, new KeyValuePair<string, object?>("rule", refusal.Rule));
                MiddlewareLog.RateLimited(_logger, call.Group, call.Name, call.Caller.PeerHost, refusal.Rule);
            }
            else
            {
                admitted++;
            }
        }

        bool failed = false;
        try
        {
            if (admitted > 0)
            {
                if (admitted < calls.Length)
                {
                    context.Request.SetArgument(0, new RapInvocationBatch { Calls = [.. calls.Where((_, i) => answers[i] is null)] });
                }

                await context.Invoke().ConfigureAwait(true);
                RapReply[] replies = ((RapReplyBatch)context.Result!).Replies;
                for (int i = 0, next = 0; i < calls.Length; i++)
                {
                    answers[i] ??= replies[next++];
                }
            }

            context.Result = new RapReplyBatch { Replies = [.. answers.Select(a => a!)] };
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            for (int i = 0; i < calls.Length; i++)
            {
                RapInvocation call = calls[i];
                RapCallResult result = answers[i]?.ToResult() ?? default;
                Complete((call.Group, call.Name), call.Caller, RapGeneration.Of(call.Caller.Version), tags[i], started, activities[i], result, failed);
            }
        }
    }

    private void Complete(
        (string Group, string Name) function, RapCaller rap, string generation, KeyValuePair<string, object?>[] tags, long started, Activity? activity, in RapCallResult result, bool failed)
    {
        int status = failed ? 500 : result.StatusCode(rap.Version);
        TimeSpan elapsed = _time.GetElapsedTime(started);
        if (_options.Metrics)
        {
            _instruments.InFlight.Add(-1, tags);
            var statusTags = new TagList(tags) { { "rap.status_code", status } };
            _instruments.Calls.Add(1, statusTags);
            _instruments.Duration.Record(elapsed.TotalSeconds, statusTags);
            if (failed || !result.IsSuccess)
            {
                _instruments.Errors.Add(1, statusTags);
            }
        }

        if (activity is not null)
        {
            activity.SetTag("rap.status_code", status);
            if (failed || !result.IsSuccess)
            {
                activity.SetStatus(ActivityStatusCode.Error, result.Message);
            }

            activity.Dispose();
        }

        if (_options.AccessLog && _accessLog.IsEnabled(LogLevel.Information))
        {
            AccessLog.Call(_accessLog, rap.PeerHost + ":" + rap.PeerPort.ToString(System.Globalization.CultureInfo.InvariantCulture), generation, "/" + function.Group + "/" + function.Name, status, elapsed.TotalMilliseconds);
        }
    }

    /// <summary>Starts the span of a call, channel or generator (named <c>group/function</c>, W3C parent from the request header).</summary>
    internal static Activity? StartActivity(RapFunctionDescriptor function, RapCallContext rap, string generation)
        => StartActivity(function.Group, function.Name, rap.Header, rap.Peer.Host, rap.Peer.Port, generation);

    /// <summary>Starts the span of a call, channel or generator (named <c>group/function</c>, W3C parent from the request header).</summary>
    internal static Activity? StartActivity(string group, string name, RapHeader? requestHeader, string? peerHost, int peerPort, string generation)
    {
        if (!RapMiddlewareDiagnostics.ActivitySource.HasListeners())
        {
            return null;
        }

        ActivityContext parent = default;
        if (requestHeader is { } header && TryGetString(header, "traceparent", out string? traceParent))
        {
            TryGetString(header, "tracestate", out string? traceState);
            ActivityContext.TryParse(traceParent, traceState, isRemote: true, out parent);
        }

        Activity? activity = parent == default
            ? RapMiddlewareDiagnostics.ActivitySource.StartActivity(group + "/" + name, ActivityKind.Server)
            : RapMiddlewareDiagnostics.ActivitySource.StartActivity(group + "/" + name, ActivityKind.Server, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("rpc.system", "rap");
            activity.SetTag("rpc.service", group);
            activity.SetTag("rpc.method", name);
            activity.SetTag("rap.generation", generation);
            activity.SetTag("network.peer.address", peerHost);
            activity.SetTag("network.peer.port", peerPort);
        }

        return activity;
    }

    private static bool TryGetString(RapHeader header, string key, out string? value)
    {
        value = header.TryGetValue(key, out MessagePackValue raw) && raw.IsString ? raw.AsString() : null;
        return value is not null;
    }
}
