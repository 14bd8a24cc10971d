using OrleansRpc.Grains.Hosting;
using OrleansRpc.Grains.Tests.Infrastructure;
using OrleansRpc.Grains.Tests.TestGrains;

namespace OrleansRpc.Grains.Tests;

public class CallFilterTests
{
    [Fact]
    public async Task Silo_wide_filters_run_in_registration_order_then_the_grain_filter()
    {
        var events = new List<string>();
        await using var silo = await TestSilo.StartAsync(b => b
            .AddIncomingGrainCallFilter(async ctx =>
            {
                events.Add("A-before:" + ctx.MethodName);
                await ctx.Invoke();
                events.Add("A-after:" + ctx.Result);
            })
            .AddIncomingGrainCallFilter(async ctx =>
            {
                events.Add("B-before:" + ctx.ImplementationMethod.DeclaringType!.Name);
                await ctx.Invoke();
                events.Add("B-after");
            }));
        var grain = silo.GrainFactory.GetGrain<IFilteredGrain>("f");
        Assert.Equal("hi", await grain.Echo("hi"));
        events.AddRange(silo.Probe.Events);
        Assert.Equal(["A-before:Echo", "B-before:FilteredGrain", "B-after", "A-after:hi", "G-before", "method:hi", "G-after"], events);
    }

    [Fact]
    public async Task A_filter_sees_the_call_and_can_change_arguments_and_results_or_short_circuit()
    {
        await using var silo = await TestSilo.StartAsync(b => b.AddIncomingGrainCallFilter(async ctx =>
        {
            Assert.Equal(typeof(IFilteredGrain).FullName, ctx.InterfaceName);
            Assert.Equal("filtered/f", ctx.TargetId.ToString());
            Assert.IsType<FilteredGrain>(ctx.Grain);
            if (ctx.Request.GetArgumentCount() == 1 && (string?)ctx.Request.GetArgument(0) == "short")
            {
                ctx.Result = "from filter";
                return;
            }

            if (ctx.Request.GetArgumentCount() == 1)
            {
                ctx.Request.SetArgument(0, "changed");
            }

            await ctx.Invoke();
            if (ctx.Result is string s)
            {
                ctx.Result = s + "+after";
            }
        }));
        var grain = silo.GrainFactory.GetGrain<IFilteredGrain>("f");
        Assert.Equal("from filter", await grain.Echo("short"));
        Assert.DoesNotContain("method:short", silo.Probe.Events);
        Assert.Equal("changed+after", await grain.Echo("x"));
        Assert.Contains("method:changed", silo.Probe.Events);
        await grain.Nothing();
    }

    [Fact]
    public async Task A_filter_that_neither_invokes_nor_sets_a_result_breaks_the_call()
    {
        await using var silo = await TestSilo.StartAsync(b => b.AddIncomingGrainCallFilter(_ => Task.CompletedTask));
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => silo.GrainFactory.GetGrain<ICounterGrain>("x").Increment());
        Assert.Contains("filter chain", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_filter_exception_reaches_the_caller()
    {
        await using var silo = await TestSilo.StartAsync(b => b.AddIncomingGrainCallFilter(_ => throw new UnauthorizedAccessException("nope")));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => silo.GrainFactory.GetGrain<ICounterGrain>("x").Increment());
    }
}
