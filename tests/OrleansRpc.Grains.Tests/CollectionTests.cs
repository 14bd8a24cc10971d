using OrleansRpc.Grains.Configuration;
using OrleansRpc.Grains.Hosting;
using OrleansRpc.Grains.Tests.Infrastructure;
using OrleansRpc.Grains.Tests.TestGrains;
using static OrleansRpc.Grains.Tests.StatelessWorkerTests;

namespace OrleansRpc.Grains.Tests;

public class CollectionTests
{
    [Fact]
    public async Task Idle_activations_are_collected_after_the_collection_age_and_come_back_on_demand()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<ICounterGrain>("idle");
        var keep = silo.GrainFactory.GetGrain<IKeepAliveGrain>("k");
        await grain.Increment();
        await keep.Touch();

        // Default: CollectionAge 15 min checked every CollectionQuantum (1 min).
        silo.Time.Advance(TimeSpan.FromMinutes(14));
        Assert.DoesNotContain(silo.Probe.Events, e => e.StartsWith("deactivate", StringComparison.Ordinal));

        silo.Time.Advance(TimeSpan.FromMinutes(2));
        await WaitForAsync(() => silo.Probe.Events.Contains("deactivate:idle:1:ActivationIdle"));
        Assert.DoesNotContain(silo.Probe.Events, e => e.StartsWith("deactivate:keepalive", StringComparison.Ordinal));

        Assert.Equal(1, await grain.Increment()); // a fresh activation: state is gone
        Assert.Equal(2, await grain.GetInstanceId());
    }

    [Fact]
    public async Task CollectionAgeLimit_attribute_and_class_specific_age_override_the_default()
    {
        await using var silo = await TestSilo.StartAsync(b => b.Configure<GrainCollectionOptions>(o =>
            o.ClassSpecificCollectionAge[typeof(CounterGrain).FullName!] = TimeSpan.FromMinutes(3)));
        await silo.GrainFactory.GetGrain<IShortLivedGrain>("s").Touch();
        await silo.GrainFactory.GetGrain<ICounterGrain>("c").Increment();

        silo.Time.Advance(TimeSpan.FromMinutes(2));
        await WaitForAsync(() => silo.Probe.Events.Contains("deactivate:shortlived:ActivationIdle"));
        Assert.DoesNotContain(silo.Probe.Events, e => e.StartsWith("deactivate:c", StringComparison.Ordinal));
        silo.Time.Advance(TimeSpan.FromMinutes(1));
        await WaitForAsync(() => silo.Probe.Events.Contains("deactivate:c:1:ActivationIdle"));
    }

    [Fact]
    public async Task DelayDeactivation_keeps_an_idle_activation_alive()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<ICounterGrain>("delayed");
        await grain.DelayDeactivationBy(TimeSpan.FromMinutes(30));
        silo.Time.Advance(TimeSpan.FromMinutes(20));
        Assert.DoesNotContain(silo.Probe.Events, e => e.StartsWith("deactivate", StringComparison.Ordinal));
        silo.Time.Advance(TimeSpan.FromMinutes(11));
        await WaitForAsync(() => silo.Probe.Events.Contains("deactivate:delayed:1:ActivationIdle"));
    }

    [Fact]
    public async Task DeactivateOnIdle_deactivates_after_the_current_call()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<ICounterGrain>("bye");
        await grain.Increment();
        await grain.DeactivateSelf();
        await WaitForAsync(() => silo.Probe.Events.Contains("deactivate:bye:1:ApplicationRequested"));
        Assert.Equal(1, await grain.Increment());
        Assert.Equal(2, await grain.GetInstanceId());
    }
}
