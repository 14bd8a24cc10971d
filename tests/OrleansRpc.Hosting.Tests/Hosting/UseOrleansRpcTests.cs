using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansRpc.Gateway;
using Orleans;
using OrleansRpc.Server;

namespace OrleansRpc.Hosting.Tests.Hosting;

/// <summary>The whole stack (grains, server, gateway, health) in one web application on loopback.</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class UseOrleansRpcTests
{
    [Fact]
    public async Task The_silo_gateway_and_health_endpoint_start_from_one_configuration_tree()
    {
        var logs = new CapturingLoggerProvider();
        await using WebApplication app = Build(logs, rpc => rpc.AddFunctionGroup(typeof(Quickstart.QuickstartFunctions)));
        await app.StartAsync();

        using HttpClient health = HealthApp.Client(app.Services);
        Assert.Equal(HttpStatusCode.OK, (await health.GetTextAsync("/healthz/ready")).Status);

        // The gateway listens where the configuration said (port 0 = a free one) and accepts TCP.
        IPEndPoint gateway = app.Services.GetRequiredService<RapGatewayEndpoint>().EndPoint!;
        Assert.Equal(IPAddress.Loopback, gateway.Address);
        Assert.NotEqual(0, gateway.Port);
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(gateway);
        }

        // The silo runs: its grain factory is there, and the functions are registered and answer over rap.
        Assert.NotNull(app.Services.GetRequiredService<IGrainFactory>());
        RapFunctionRegistry registry = app.Services.GetRequiredService<RapFunctionRegistry>();
        Assert.NotNull(registry.Find("default", "sync_sum", RapFunctionKind.Normal));
        Assert.NotNull(app.Services.GetService<Orleans.Runtime.ILocalSiloDetails>()); // a real Orleans silo
        Assert.Equal(5, (await RapProbe.CallAsync(gateway, "/default/sync_sum", ("a", 2), ("b", 3))).AsInt64());

        await app.StopAsync();

        // Readiness went false before the gateway began to drain.
        IReadOnlyList<(string Category, EventId EventId, string Message)> events = logs.Events;
        int notReady = IndexOf(events, e => e.Category.StartsWith("OrleansRpc.Hosting", StringComparison.Ordinal) && e.EventId.Name == "NotReady");
        int draining = IndexOf(events, e => e.Category.StartsWith("OrleansRpc.Gateway", StringComparison.Ordinal) && e.EventId.Name == "Draining");
        Assert.True(notReady >= 0, "readiness did not log NotReady");
        Assert.True(draining >= 0, "the gateway did not log Draining");
        Assert.True(notReady < draining, "readiness must turn false before the gateway drains");
        Assert.Equal(ReadinessState.Stopped, app.Services.GetRequiredService<OrleansRpcReadiness>().State);
    }

    [Fact]
    public async Task A_shutdown_delay_keeps_readiness_false_before_the_drain()
    {
        var logs = new CapturingLoggerProvider();
        var time = new ManualTimeProvider();
        await using WebApplication app = Build(logs, configure: null, ("OrleansRpc:Health:ShutdownDelay", "00:00:05"), services => services.AddSingleton<TimeProvider>(time));
        await app.StartAsync();
        using HttpClient health = HealthApp.Client(app.Services);

        Task stop = app.StopAsync();
        await time.DelayStarted.Task.WaitAsync(HealthApp.Patience);

        // In the delay: not ready, still serving probes, the gateway has not started draining.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await health.GetTextAsync("/healthz/ready")).Status);
        Assert.Equal(HttpStatusCode.OK, (await health.GetTextAsync("/healthz/live")).Status);
        Assert.DoesNotContain(logs.Events, e => e.EventId.Name == "Draining");
        Assert.Equal(TimeSpan.FromSeconds(5), time.RequestedDelay);

        time.Fire();
        await stop.WaitAsync(HealthApp.Patience);
        Assert.Contains(logs.Events, e => e.EventId.Name == "Draining");
    }

    private static WebApplication Build(
        CapturingLoggerProvider logs,
        Action<IOrleansRpcBuilder>? configure,
        (string Key, string Value)? setting = null,
        Action<IServiceCollection>? services = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Information);
        var values = new Dictionary<string, string?>
        {
            ["OrleansRpc:Gateway:Host"] = "127.0.0.1",
            ["OrleansRpc:Gateway:Port"] = "0",
            ["OrleansRpc:Gateway:DrainTimeout"] = "00:00:02",
            ["OrleansRpc:Health:Host"] = "127.0.0.1",
            ["OrleansRpc:Health:Port"] = "0",
            ["OrleansRpc:Cluster:ServiceId"] = "tests",
        };
        if (setting is { } s)
        {
            values[s.Key] = s.Value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        services?.Invoke(builder.Services);
        builder.UseOrleansRpc(configure);
        return builder.Build();
    }

    private static int IndexOf<T>(IReadOnlyList<T> items, Func<T, bool> predicate)
    {
        for (int i = 0; i < items.Count; i++)
        {
            if (predicate(items[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A time provider whose one-shot timers fire only when told (the shutdown delay's Task.Delay).</summary>
    private sealed class ManualTimeProvider : TimeProvider
    {
        private readonly List<(TimerCallback Callback, object? State)> _timers = [];

        public TaskCompletionSource DelayStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TimeSpan RequestedDelay { get; private set; }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime == TimeSpan.FromSeconds(5) && period == Timeout.InfiniteTimeSpan)
            {
                lock (_timers)
                {
                    _timers.Add((callback, state));
                }

                RequestedDelay = dueTime;
                DelayStarted.TrySetResult();
                return new NoopTimer();
            }

            return System.CreateTimer(callback, state, dueTime, period);
        }

        public void Fire()
        {
            lock (_timers)
            {
                foreach ((TimerCallback callback, object? state) in _timers)
                {
                    callback(state);
                }

                _timers.Clear();
            }
        }

        private sealed class NoopTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
