using OrleansRpc.Grains.Concurrency;
using OrleansRpc.Grains.Tests.Infrastructure;

namespace OrleansRpc.Grains.Tests.TestGrains;

public interface ISchedulingGrain : IGrainWithStringKey
{
    /// <summary>Enters, yields a few times (suspending the turn), exits: overlaps show up in the probe.</summary>
    Task Work(int yields);

    /// <summary>Records "enter:{signal}", then waits until the signal is set.</summary>
    Task Block(string signal);

    [AlwaysInterleave]
    Task Ping();

    [AlwaysInterleave]
    Task BlockInterleaved(string signal);

    /// <summary>Read-only: enters, and the gate opens once two are inside at once.</summary>
    [ReadOnly]
    Task ReadGate(string gate);

    [ReadOnly]
    Task ReadBlock(string signal);
}

public sealed class SchedulingGrain(Probe probe) : Grain, ISchedulingGrain
{
    public async Task Work(int yields)
    {
        probe.Enter();
        try
        {
            for (var i = 0; i < yields; i++)
            {
                await Task.Yield();
            }
        }
        finally
        {
            probe.Exit();
        }
    }

    public async Task Block(string signal)
    {
        probe.Record("enter:" + signal);
        await probe.Signal(signal).Task;
        probe.Record("exit:" + signal);
    }

    public Task Ping()
    {
        probe.Record("ping");
        return Task.CompletedTask;
    }

    public Task BlockInterleaved(string signal) => Block(signal);

    public async Task ReadGate(string gate)
    {
        if (probe.Enter() >= 2)
        {
            probe.Signal(gate).TrySetResult();
        }

        try
        {
            await probe.Signal(gate).Task;
        }
        finally
        {
            probe.Exit();
        }
    }

    public Task ReadBlock(string signal) => Block(signal);
}
