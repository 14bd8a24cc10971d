using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansRpc.Gateway.Tests.Infrastructure;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.Plumbing;

/// <summary>Options validation, start/stop hooks and graceful drain.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task Drain_lets_the_in_flight_call_finish_then_closes()
    {
        var calls = new TestCalls();
        TestCluster cluster = await PlumbingCluster.StartAsync(calls, b => b.ConfigureGateway(o => o.DrainTimeout = TimeSpan.FromSeconds(15)));
        try
        {
            await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);
            await client.SendAsync(PlumbingCluster.Hold(1));
            await calls.NextStartedAsync();

            Task stopping = cluster.StopAsync();
            Assert.Equal(("drain", 0L), TestFrames.Parse(await client.ReadFrameAsync()));
            Assert.False(stopping.IsCompleted);

            calls.Release(1);
            Assert.Equal(("done", 1L), TestFrames.Parse(await client.ReadFrameAsync()));
            Assert.Null(await client.ReadFrameAsync());
            await stopping;
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Drain_timeout_closes_a_connection_whose_call_does_not_finish()
    {
        var calls = new TestCalls();
        TestCluster cluster = await PlumbingCluster.StartAsync(calls, b => b.ConfigureGateway(o => o.DrainTimeout = TimeSpan.FromMilliseconds(300)));
        try
        {
            await using RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint);
            await client.SendAsync(PlumbingCluster.Hold(1));
            await calls.NextStartedAsync();

            await cluster.StopAsync();
            Assert.Equal(("drain", 0L), TestFrames.Parse(await client.ReadFrameAsync()));
            Assert.Null(await client.ReadFrameAsync());
            Assert.Contains("closed", calls.Events);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Invalid_options_fail_start_naming_the_key()
    {
        var calls = new TestCalls();
        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            PlumbingCluster.StartAsync(calls, b => b.ConfigureGateway(o =>
            {
                o.MaxInFlightCallsPerConnection = 0;
                o.TlsCertificatePath = "only-the-certificate.crt";
            })));

        Assert.Contains("RapGateway:MaxInFlightCallsPerConnection", error.Message, StringComparison.Ordinal);
        Assert.Contains("RapGateway:TlsKeyPath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_and_stop_hooks_run_around_the_gateway()
    {
        var calls = new TestCalls();
        var participant = new RecordingParticipant(calls);
        TestCluster cluster = await PlumbingCluster.StartAsync(calls, b => b
            .ConfigureGateway(o =>
            {
                o.OnBeforeStart.Add((_, _) => { calls.Record("before start (options)"); return Task.CompletedTask; });
                o.OnAfterStop.Add((_, _) => { calls.Record("after stop (options)"); return Task.CompletedTask; });
            })
            .ConfigureServices(s => s.AddSingleton<IRapGatewayLifecycleParticipant>(participant)));

        await using (RawFrameClient client = await RawFrameClient.ConnectAsync(cluster.EndPoint))
        {
            await client.SendAsync(PlumbingCluster.Echo(1, "x"));
            Assert.NotNull(await client.ReadFrameAsync());
            calls.Record("served");
        }

        await cluster.DisposeAsync();
        IReadOnlyList<string> events = calls.Events.Where(e => e != "closed").ToList();
        Assert.Equal(["before start (options)", "before start (participant)", "served", "after stop (options)", "after stop (participant)"], events);
    }

    private sealed class RecordingParticipant(TestCalls calls) : IRapGatewayLifecycleParticipant
    {
        public Task OnBeforeStartAsync(CancellationToken cancellationToken)
        {
            calls.Record("before start (participant)");
            return Task.CompletedTask;
        }

        public Task OnAfterStopAsync(CancellationToken cancellationToken)
        {
            calls.Record("after stop (participant)");
            return Task.CompletedTask;
        }
    }
}
