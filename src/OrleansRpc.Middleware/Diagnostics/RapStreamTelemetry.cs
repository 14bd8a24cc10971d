using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansRpc.Server;

namespace OrleansRpc.Middleware.Diagnostics;

/// <summary>
/// Channels and async generators (observed at the gateway, where they open and end): the open gauges
/// (<c>orleansrpc.channels.open</c>, <c>orleansrpc.generators.open</c>), one span per channel or generator, from open
/// to end, tagged <c>rap.kind</c>, and (when the access log is on) one access-log line at the end.
/// </summary>
public sealed class RapStreamTelemetry : IRapDispatchObserver
{
    private readonly RapTelemetryOptions _options;
    private readonly RapMiddlewareInstruments _instruments;
    private readonly TimeProvider _time;
    private readonly ILogger _accessLog;

    public RapStreamTelemetry(IOptions<RapTelemetryOptions> options, RapMiddlewareInstruments instruments, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options.Value;
        _instruments = instruments;
        _time = timeProvider;
        _accessLog = loggerFactory.CreateLogger(AccessLog.Category);
    }

    public IDisposable? ChannelOpened(RapFunctionDescriptor function, RapCallContext context) => Open(_instruments.ChannelsOpen, "channel", function, context);

    public IDisposable? GeneratorStarted(RapFunctionDescriptor function, RapCallContext context) => Open(_instruments.GeneratorsOpen, "generator", function, context);

    private Scope? Open(System.Diagnostics.Metrics.UpDownCounter<long> gauge, string kind, RapFunctionDescriptor function, RapCallContext context)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(context);
        string generation = RapGeneration.Of(context.Version);
        TagList tags = default;
        if (_options.Metrics)
        {
            tags = new TagList { { "rap.group", function.Group }, { "rap.function", function.Name }, { "rap.generation", generation } };
            gauge.Add(1, tags);
        }

        Activity? activity = null;
        if (_options.Tracing)
        {
            // Opened on the gateway's path: the span must not become that path's current activity.
            Activity? previous = Activity.Current;
            activity = RapCallFilter.StartActivity(function, context, generation);
            Activity.Current = previous;
            activity?.SetTag("rap.kind", kind);
        }

        AccessLine? line = _options.AccessLog && _accessLog.IsEnabled(LogLevel.Information)
            ? new AccessLine(_accessLog, _time, _time.GetTimestamp(), context.Peer.Host + ":" + context.Peer.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), generation, kind, "/" + function.Group + "/" + function.Name)
            : null;
        return _options.Metrics || activity is not null || line is not null ? new Scope(_options.Metrics ? gauge : null, tags, activity, line) : null;
    }

    private sealed record AccessLine(ILogger Logger, TimeProvider Time, long Started, string Peer, string Generation, string Kind, string Target)
    {
        public void Write() => AccessLog.Stream(Logger, Peer, Generation, Kind, Target, Time.GetElapsedTime(Started).TotalMilliseconds);
    }

    private sealed class Scope(System.Diagnostics.Metrics.UpDownCounter<long>? gauge, TagList tags, Activity? activity, AccessLine? line) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            gauge?.Add(-1, tags);
            activity?.Dispose();
            line?.Write();
        }
    }
}
