using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansRpc.Grains.Diagnostics;
using OrleansRpc.Grains.Tests.Infrastructure;
using OrleansRpc.Grains.Tests.TestGrains;

namespace OrleansRpc.Grains.Tests;

[Collection(nameof(DiagnosticsTests))] // listeners are process-wide
public class DiagnosticsTests
{
    [Fact]
    public async Task Calls_activations_and_timeouts_are_measured()
    {
        var measurements = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GrainsDiagnostics.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            measurements.AddOrUpdate(
                instrument.Name,
                value,
                // Gauges: every silo in the process reports its own value; keep the largest. Counters: add up.
                (name, old) => name.EndsWith("activations", StringComparison.Ordinal) ? Math.Max(old, value) : old + value));
        listener.Start();

        await using var silo = await TestSilo.StartAsync();
        await silo.GrainFactory.GetGrain<ICounterGrain>("m1").Increment();
        await silo.GrainFactory.GetGrain<ICounterGrain>("m2").Increment();
        var hang = silo.GrainFactory.GetGrain<ITimeoutGrain>("m3").Hang(CancellationToken.None);
        await silo.Probe.Signal("hang-entered").Task.WithTestTimeout();
        silo.Time.Advance(TimeSpan.FromSeconds(6));
        await Assert.ThrowsAsync<TimeoutException>(() => hang.WithTestTimeout());
        listener.RecordObservableInstruments();

        Assert.True(measurements.GetValueOrDefault("orleansrpc-grains-calls") >= 3);
        Assert.True(measurements.GetValueOrDefault("orleansrpc-grains-call-timeouts") >= 1);
        Assert.True(measurements.GetValueOrDefault("orleansrpc-grains-activations") >= 3);
        Assert.True(measurements.ContainsKey("orleansrpc-grains-queue-length"));
    }

    [Fact]
    public async Task The_queue_length_gauge_counts_requests_waiting_behind_a_running_one()
    {
        long maxQueued = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GrainsDiagnostics.Name && instrument.Name == "orleansrpc-grains-queue-length")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };

        // Every silo in the process reports its own value; keep the largest.
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => InterlockedMax(ref maxQueued, value));
        listener.Start();

        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<ISchedulingGrain>("queued");
        var running = grain.Block("q-hold");
        await grain.Ping().WithTestTimeout();
        var queued = new[] { grain.Block("q-1"), grain.Block("q-2"), grain.Block("q-3") };
        await grain.Ping().WithTestTimeout(); // always-interleave: it got past the three, so they are queued
        listener.RecordObservableInstruments();
        Assert.True(Interlocked.Read(ref maxQueued) >= 3);

        silo.Probe.Signal("q-hold").SetResult();
        silo.Probe.Signal("q-1").SetResult();
        silo.Probe.Signal("q-2").SetResult();
        silo.Probe.Signal("q-3").SetResult();
        await Task.WhenAll([running, .. queued]).WithTestTimeout();
    }

    [Fact]
    public async Task Each_call_gets_a_span_while_someone_listens()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == GrainsDiagnostics.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        await using var silo = await TestSilo.StartAsync();
        await silo.GrainFactory.GetGrain<ICounterGrain>("span").Increment();
        // Other tests' calls show up too (the source is process-wide): look for this one.
        await StatelessWorkerTests.WaitForAsync(() => spans.Any(s => Equals(s.GetTagItem("orleansrpc.grain_id"), "counter/span")));
        var span = spans.First(s => Equals(s.GetTagItem("orleansrpc.grain_id"), "counter/span"));
        Assert.EndsWith("ICounterGrain.Increment", span.DisplayName, StringComparison.Ordinal);
        Assert.Equal("Increment", span.GetTagItem("rpc.method"));
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while (value > (seen = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
