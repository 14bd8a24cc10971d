using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansRpc.Grains.Configuration;
using OrleansRpc.Grains.Hosting;
using OrleansRpc.Grains.Tests.Infrastructure;
using OrleansRpc.Grains.Tests.TestGrains;
using static OrleansRpc.Grains.Tests.StatelessWorkerTests;

namespace OrleansRpc.Grains.Tests;

public class LifecycleTimeoutTests
{
    [Fact]
    public async Task ActivationTimeout_cancels_a_hanging_OnActivateAsync_and_the_next_call_activates_again()
    {
        await using var silo = await TestSilo.StartAsync(b => b.Configure<GrainCollectionOptions>(o => o.ActivationTimeout = TimeSpan.FromSeconds(5)));
        var grain = silo.GrainFactory.GetGrain<ISlowLifecycleGrain>("hang-activate");
        var first = grain.Ping();
        await silo.Probe.Signal("activating:hang-activate").Task.WithTestTimeout();

        silo.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(first.IsCompleted);
        silo.Time.Advance(TimeSpan.FromSeconds(1.5));

        // The waiting caller gets OnActivateAsync's own exception; the response timeout (30 s) played no part.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WithTestTimeout());
        Assert.Equal(2, await grain.Ping().WithTestTimeout());
        Assert.Equal(["activate:hang-activate:1", "activate:hang-activate:2"], silo.Probe.Events.ToArray());
    }

    [Fact]
    public async Task DeactivationTimeout_bounds_both_the_drain_of_a_running_call_and_OnDeactivateAsync()
    {
        await using var silo = await TestSilo.StartAsync(b => b.Configure<GrainCollectionOptions>(o => o.DeactivationTimeout = TimeSpan.FromSeconds(10)));
        var busy = silo.GrainFactory.GetGrain<ISlowLifecycleGrain>("busy");
        var held = busy.Hold("never");
        await WaitForAsync(() => silo.Probe.Inside == 1);
        var hanging = silo.GrainFactory.GetGrain<ISlowLifecycleGrain>("hang-deactivate");
        await hanging.Ping();

        // The silo's stop reaches DeactivateAllAsync synchronously, so both deactivation deadlines start now.
        var stop = silo.StopAsync();
        await silo.Probe.Signal("deactivating:hang-deactivate").Task.WithTestTimeout();
        silo.Time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(stop.IsCompleted);
        Assert.DoesNotContain(silo.Probe.Events, e => e.StartsWith("deactivate:busy", StringComparison.Ordinal));

        silo.Time.Advance(TimeSpan.FromSeconds(1.5));
        await stop.WithTestTimeout();

        // The running call did not finish, yet the activation was deactivated; the hanging OnDeactivateAsync was cut.
        Assert.False(held.IsCompleted);
        Assert.Contains("deactivate:busy:ShuttingDown:inside=1", silo.Probe.Events);
        Assert.Contains("deactivate-cancelled:hang-deactivate", silo.Probe.Events);
        silo.Probe.Signal("never").SetResult();
        await held.WithTestTimeout();
    }

    [Fact]
    public async Task The_hosts_shutdown_timeout_bounds_the_silos_stop()
    {
        var time = new FakeTimeProvider();
        var probe = new Probe();
        using var host = new HostBuilder()
            .ConfigureServices(services =>
            {
                services.AddSingleton<TimeProvider>(time);
                services.AddSingleton(probe);
                services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(200));
                services.AddGrains(b => b.AddGrain<SlowLifecycleGrain>());
            })
            .Build();
        await host.StartAsync();
        var grain = host.Services.GetRequiredService<IGrainFactory>().GetGrain<ISlowLifecycleGrain>("stuck");
        var held = grain.Hold("release");
        await WaitForAsync(() => probe.Inside == 1);

        // The fake clock never reaches DeactivationTimeout: only the host's shutdown token ends the wait.
        await host.StopAsync().WithTestTimeout();
        Assert.False(held.IsCompleted);
        Assert.DoesNotContain(probe.Events, e => e.StartsWith("deactivate:", StringComparison.Ordinal));

        // The abandoned deactivation still completes once its call ends.
        probe.Signal("release").SetResult();
        await held.WithTestTimeout();
        await WaitForAsync(() => probe.Events.Contains("deactivate:stuck:ShuttingDown:inside=0"));
    }
}
