using System.Diagnostics.Metrics;

namespace OrleansRpc.Middleware.Diagnostics;

/// <summary>
/// The middleware's instruments (meter <c>OrleansRpc</c>). Counters cost next to nothing while nobody listens.
/// Tag names: <c>rap.generation</c> (<c>head</c>, <c>0.5.3.8</c>, <c>unknown</c>), <c>rap.group</c>, <c>rap.function</c>,
/// <c>rap.status_code</c>, <c>reason</c>.
/// </summary>
public sealed class RapMiddlewareInstruments
{
    public RapMiddlewareInstruments(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(RapMiddlewareDiagnostics.Name);
        Calls = Meter.CreateCounter<long>("orleansrpc.calls", "{call}", "Calls completed, by group, function, generation and status code.");
        Errors = Meter.CreateCounter<long>("orleansrpc.call.errors", "{call}", "Calls answered with an error status, by status code.");
        Duration = Meter.CreateHistogram<double>("orleansrpc.call.duration", "s", "Call duration from dispatch to answer.");
        InFlight = Meter.CreateUpDownCounter<long>("orleansrpc.calls.in_flight", "{call}", "Calls running now.");
        Connections = Meter.CreateUpDownCounter<long>("orleansrpc.connections", "{connection}", "Open connections by generation (unknown until the first byte).");
        ConnectionsRefused = Meter.CreateCounter<long>("orleansrpc.connections.refused", "{connection}", "Connections refused by a connection middleware, by reason.");
        BytesReceived = Meter.CreateCounter<long>("orleansrpc.bytes.received", "By", "Bytes read from rap connections (after TLS).");
        BytesSent = Meter.CreateCounter<long>("orleansrpc.bytes.sent", "By", "Bytes written to rap connections (before TLS).");
        ChannelsOpen = Meter.CreateUpDownCounter<long>("orleansrpc.channels.open", "{channel}", "Channels open now, by group, function and generation.");
        GeneratorsOpen = Meter.CreateUpDownCounter<long>("orleansrpc.generators.open", "{generator}", "Async generators running now, by group, function and generation.");
        RateLimited = Meter.CreateCounter<long>("orleansrpc.rate_limit.rejected", "{call}", "Calls refused by a rate-limit rule, by rule.");
    }

    /// <summary>The meter (created by the host's <see cref="IMeterFactory"/>, disposed with it).</summary>
    public Meter Meter { get; }

    public Counter<long> Calls { get; }

    public Counter<long> Errors { get; }

    public Histogram<double> Duration { get; }

    public UpDownCounter<long> InFlight { get; }

    public UpDownCounter<long> Connections { get; }

    public Counter<long> ConnectionsRefused { get; }

    public Counter<long> BytesReceived { get; }

    public Counter<long> BytesSent { get; }

    public Counter<long> RateLimited { get; }

    public UpDownCounter<long> ChannelsOpen { get; }

    public UpDownCounter<long> GeneratorsOpen { get; }

    /// <summary>Counts one refused connection.</summary>
    public void Refused(string reason) => ConnectionsRefused.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
