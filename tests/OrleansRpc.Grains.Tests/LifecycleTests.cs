using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansRpc.Grains.Configuration;
using OrleansRpc.Grains.Hosting;
using OrleansRpc.Grains.Runtime;
using OrleansRpc.Grains.Tests.Infrastructure;
using OrleansRpc.Grains.Tests.TestGrains;

namespace OrleansRpc.Grains.Tests;

public class LifecycleTests
{
    [Fact]
    public async Task Stopping_the_silo_deactivates_every_activation_after_its_running_call()
    {
        var silo = await TestSilo.StartAsync();
        await using var _ = silo;
        await silo.GrainFactory.GetGrain<ICounterGrain>("a").Increment();
        await silo.GrainFactory.GetGrain<ICounterGrain>("b").Increment();
        var worker = silo.GrainFactory.GetGrain<IWorkerGrain>("w");
        var inFlight = worker.Block("busy", "finish");
        await StatelessWorkerTests.WaitForAsync(() => silo.Probe.Inside == 1);

        var stop = silo.StopAsync();
        await StatelessWorkerTests.WaitForAsync(() => silo.Probe.Events.Count(e => e.StartsWith("deactivate:", StringComparison.Ordinal)) == 2);
        Assert.False(stop.IsCompleted); // waits for the running call
        Assert.DoesNotContain(silo.Probe.Events, e => e.StartsWith("worker-deactivated", StringComparison.Ordinal));

        silo.Probe.Signal("finish").SetResult();
        Assert.True(await inFlight.WithTestTimeout() > 0);
        await stop.WithTestTimeout();
        Assert.Contains("deactivate:a:1:ShuttingDown", silo.Probe.Events);
        Assert.Contains("deactivate:b:2:ShuttingDown", silo.Probe.Events);
        Assert.Contains(silo.Probe.Events, e => e.StartsWith("worker-deactivated:", StringComparison.Ordinal) && e.EndsWith(":ShuttingDown", StringComparison.Ordinal));

        await Assert.ThrowsAsync<SiloUnavailableException>(() => silo.GrainFactory.GetGrain<ICounterGrain>("a").Increment());
    }

    [Fact]
    public async Task Lifecycle_stages_start_ascending_and_stop_descending()
    {
        var order = new List<string>();
        await using var silo = TestSilo.Create(services: s => s.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(new Participant(order)));
        await silo.StartHostedAsync();
        Assert.Equal(["start:4000", "start:10000", "start:20000"], order.Where(o => o.StartsWith("start", StringComparison.Ordinal)));

        // Application services may call grains: the runtime started first.
        await silo.GrainFactory.GetGrain<ICounterGrain>("x").Increment();
        await silo.StopAsync();
        Assert.Equal(["stop:20000", "stop:10000", "stop:4000"], order.Where(o => o.StartsWith("stop", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Invalid_options_fail_at_start()
    {
        await using var silo = TestSilo.Create(b => b.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.Zero));
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(silo.StartHostedAsync);
        Assert.Contains("ResponseTimeout", ex.Message, StringComparison.Ordinal);
    }

    private sealed class Participant(List<string> order) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle)
        {
            foreach (var stage in new[] { ServiceLifecycleStage.Active, ServiceLifecycleStage.RuntimeServices, ServiceLifecycleStage.ApplicationServices })
            {
                lifecycle.Subscribe("test", stage, _ => Add("start:" + stage), _ => Add("stop:" + stage));
            }
        }

        private Task Add(string entry)
        {
            lock (order)
            {
                order.Add(entry);
            }

            return Task.CompletedTask;
        }
    }
}
