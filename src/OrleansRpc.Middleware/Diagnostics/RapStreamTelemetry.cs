using System.Diagnostics;
using Microsoft.Extensions.Options;
using OrleansRpc.Server;

namespace OrleansRpc.Middleware.Diagnostics;

/// <summary>
/// Channels and async generators (which do not pass the grain call filter): the open gauges
/// (<c>orleansrpc.channels.open</c>, <c>orleansrpc.generators.open</c>) and one span per channel or generator,
/// from open to end, tagged <c>rap.kind</c>.
/// </summary>
public sealed class RapStreamTelemetry : IRapDispatchObserver
{
    private readonly RapTelemetryOptions _options;
    private readonly RapMiddlewareInstruments _instruments;

    public RapStreamTelemetry(IOptions<RapTelemetryOptions> options, RapMiddlewareInstruments instruments)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _instruments = instruments;
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

        return _options.Metrics || activity is not null ? new Scope(_options.Metrics ? gauge : null, tags, activity) : null;
    }

    private sealed class Scope(System.Diagnostics.Metrics.UpDownCounter<long>? gauge, TagList tags, Activity? activity) : IDisposable
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
        }
    }
}
