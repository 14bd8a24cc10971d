using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.Grains.Runtime;
using OrleansRpc.Grains.Tests.Infrastructure;
using OrleansRpc.Grains.Tests.TestGrains;
using OrleansRpc.Grains.Tests.TestGrains.Greeters;

namespace OrleansRpc.Grains.Tests;

public class GrainReferenceTests
{
    [Fact]
    public async Task A_reference_activates_its_grain_on_first_call_through_DI()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<ICounterGrain>("c1");
        Assert.Empty(silo.Probe.Events);

        Assert.Equal(1, await grain.Increment());
        Assert.Equal(2, await silo.GrainFactory.GetGrain<ICounterGrain>("c1").Increment());
        Assert.Equal(1, await silo.GrainFactory.GetGrain<ICounterGrain>("c2").Increment());
        Assert.Equal("c1", await grain.GetKey());
        Assert.Equal(["activate:c1:1", "activate:c2:2"], silo.Probe.Events.ToArray());
        Assert.Equal(GrainId.Create("counter", "c1"), grain.GetGrainId());
        Assert.Equal(grain.AsGrainReference(), silo.GrainFactory.GetGrain<ICounterGrain>("c1").AsGrainReference());
    }

    [Fact]
    public async Task A_POCO_grain_gets_its_context_injected_and_its_life_cycle_called()
    {
        await using var silo = await TestSilo.StartAsync();
        Assert.Equal("poco/p", await silo.GrainFactory.GetGrain<IPocoGrain>("p").Describe());
        Assert.Contains("poco-activated", silo.Probe.Events);
    }

    [Fact]
    public async Task Guid_integer_and_compound_keys_reach_the_grain()
    {
        await using var silo = await TestSilo.StartAsync();
        var guid = Guid.NewGuid();
        Assert.Equal(guid, await silo.GrainFactory.GetGrain<IGuidKeyGrain>(guid).GetKey());
        Assert.Equal(-42L, await silo.GrainFactory.GetGrain<IIntegerKeyGrain>(-42).GetKey());
        Assert.Equal($"{guid}|ext", await silo.GrainFactory.GetGrain<IGuidCompoundKeyGrain>(guid, "ext").GetKey());
        Assert.Equal("7|x", await silo.GrainFactory.GetGrain<IIntegerCompoundKeyGrain>(7, "x").GetKey());
        Assert.Equal("FFFFFFFFFFFFFFD6", silo.GrainFactory.GetGrain<IIntegerKeyGrain>(-42).GetGrainId().Key);
    }

    [Fact]
    public async Task Every_method_shape_works_through_the_emitted_proxy_even_on_internal_interfaces()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IShapesGrain>("s");
        await grain.NoResult();
        Assert.Equal(5, await grain.Add(2, 3));
        using var cts = new CancellationTokenSource();
        Assert.Equal("abcTrue", await grain.Concat("a", "b", "c", cts.Token));
        await grain.Void(CancellationToken.None);
        Assert.Equal(28, await grain.Seven(1, 2, 3, 4, 5, 6, 7));
        Assert.Equal(new InternalPayload("x!"), await grain.Payload(new InternalPayload("x")));
    }

    [Fact]
    public async Task GetGrain_by_GrainId_and_by_class_name_prefix()
    {
        await using var silo = await TestSilo.StartAsync();
        Assert.Throws<ArgumentException>(() => silo.GrainFactory.GetGrain<IGreeterGrain>("g"));
        var english = silo.GrainFactory.GetGrain<IGreeterGrain>("g", typeof(EnglishGreeterGrain).Namespace + ".English");
        var french = silo.GrainFactory.GetGrain<IGreeterGrain>("g", typeof(FrenchGreeterGrain).FullName);
        Assert.Equal("Hello Ann", await english.Greet("Ann"));
        Assert.Equal("Bonjour Ann", await french.Greet("Ann"));

        var byId = silo.GrainFactory.GetGrain<ICounterGrain>(GrainId.Create("counter", "x"));
        Assert.Equal(1, await byId.Increment());
        Assert.Equal(2, await silo.GrainFactory.GetGrain<ICounterGrain>("x").Increment());
    }

    [Fact]
    public async Task The_low_level_invoke_api_calls_the_grain()
    {
        await using var silo = await TestSilo.StartAsync();
        var reference = silo.GrainFactory.GetGrain<IShapesGrain>("low").AsGrainReference();
        var add = GrainMethod.Create<IShapesGrain>(nameof(IShapesGrain.Add));
        var sum = await reference.InvokeAsync<IShapesGrain, (int, int), int>(
            add, (20, 22), static (grain, args, _) => new ValueTask<int>(grain.Add(args.Item1, args.Item2)));
        Assert.Equal(42, sum);

        var noResult = GrainMethod.Create<IShapesGrain>(nameof(IShapesGrain.NoResult));
        await reference.InvokeAsync<IShapesGrain, int>(noResult, 0, static (grain, _, _) => new ValueTask(grain.NoResult()));
    }

    [Fact]
    public async Task Calls_before_start_fail_with_SiloUnavailableException()
    {
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<ICounterGrain>("early");
        await Assert.ThrowsAsync<SiloUnavailableException>(() => grain.Increment());
        await silo.StartHostedAsync();
        Assert.Equal(1, await grain.Increment());
    }

    [Fact]
    public async Task A_failed_activation_fails_the_call_with_the_original_exception_and_retries_next_time()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.GrainFactory.GetGrain<IFailingActivationGrain>("f");
        var first = await Assert.ThrowsAsync<CustomGrainException>(() => grain.Call());
        Assert.Equal("activation failed for f", first.Message);
        await Assert.ThrowsAsync<CustomGrainException>(() => grain.Call());
    }

    [Fact]
    public async Task Stream_providers_are_reachable_from_the_client()
    {
        await using var silo = await TestSilo.StartAsync(b => b.AddMemoryStreamsForTests());
        Assert.Equal("mem", Streams.StreamProviderExtensions.GetStreamProvider(silo.Client, "mem").Name);
        Assert.Throws<KeyNotFoundException>(() => Streams.StreamProviderExtensions.GetStreamProvider(silo.Client, "nope"));
        Assert.Same(silo.Client, silo.Services.GetRequiredService<IGrainFactory>());
    }
}
