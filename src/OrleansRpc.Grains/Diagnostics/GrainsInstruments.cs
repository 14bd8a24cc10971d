using System.Diagnostics.Metrics;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Diagnostics;

/// <summary>
/// The runtime's metrics (meter "OrleansRpc.Grains"). Counters cost next to nothing while nobody listens; the
/// gauges are computed only when collected.
/// </summary>
internal sealed class GrainsInstruments : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private long _activations;

    public GrainsInstruments(IMeterFactory? meterFactory, GrainRuntime runtime)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(GrainsDiagnostics.Name) ?? new Meter(GrainsDiagnostics.Name);
        Calls = _meter.CreateCounter<long>("orleansrpc-grains-calls", "{call}", "Grain calls sent.");
        Timeouts = _meter.CreateCounter<long>("orleansrpc-grains-call-timeouts", "{call}", "Grain calls whose response did not arrive on time.");
        Rejections = _meter.CreateCounter<long>("orleansrpc-grains-call-rejections", "{call}", "Grain calls rejected because the activation's queue was full.");
        _meter.CreateObservableUpDownCounter("orleansrpc-grains-activations", () => Volatile.Read(ref _activations), "{activation}", "Live activations.");
        _meter.CreateObservableGauge("orleansrpc-grains-queue-length", () => QueueLength(runtime), "{request}", "Requests waiting in activation queues.");
    }

    public Counter<long> Calls { get; }

    public Counter<long> Timeouts { get; }

    public Counter<long> Rejections { get; }

    public void ActivationCreated() => Interlocked.Increment(ref _activations);

    public void ActivationRemoved() => Interlocked.Decrement(ref _activations);

    public void Dispose()
    {
        // A factory-made meter belongs to the factory.
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static long QueueLength(GrainRuntime runtime)
    {
        long total = 0;
        foreach (var activation in runtime.Directory.GetActivations())
        {
            total += activation.WaitingCount;
        }

        return total;
    }
}
