using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansRpc.Hosting.Tests.Health;

public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Live_is_200_at_once_ready_is_503_until_started_then_200_then_503_while_draining()
    {
        var gate = new LifecycleGate { HoldStarted = true, HoldStopping = true };
        await using WebApplication app = HealthApp.Build(gate);
        var readiness = app.Services.GetRequiredService<OrleansRpcReadiness>();

        // Kestrel listens, but the host has not finished starting (held in StartedAsync).
        Task start = app.StartAsync();
        await gate.StartedReached.Task.WaitAsync(HealthApp.Patience);
        using HttpClient client = HealthApp.Client(app.Services);

        Assert.Equal(HttpStatusCode.OK, (await client.GetTextAsync("/healthz/live")).Status);
        (HttpStatusCode status, string body) = await client.GetTextAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", body);
        Assert.Equal(ReadinessState.Starting, readiness.State);

        gate.ReleaseStarted.SetResult();
        await start.WaitAsync(HealthApp.Patience);
        (status, body) = await client.GetTextAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", body);
        Assert.Equal(HttpStatusCode.OK, (await client.GetTextAsync("/healthz/live")).Status);

        // Stopping: held in StoppingAsync, where the gateway would be draining.
        Task stop = app.StopAsync();
        await gate.StoppingReached.Task.WaitAsync(HealthApp.Patience);
        Assert.Equal(ReadinessState.Draining, readiness.State);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetTextAsync("/healthz/ready")).Status);
        Assert.Equal(HttpStatusCode.OK, (await client.GetTextAsync("/healthz/live")).Status);

        gate.ReleaseStopping.SetResult();
        await stop.WaitAsync(HealthApp.Patience);
        Assert.Equal(ReadinessState.Stopped, readiness.State);
    }

    [Fact]
    public async Task Configured_paths_are_served_and_other_paths_are_404()
    {
        await using WebApplication app = HealthApp.Build(configure: builder => builder.Services.Configure<HealthEndpointOptions>(o =>
        {
            o.LivePath = "/alive";
            o.ReadyPath = "/ready-now";
        }));
        await app.StartAsync();
        using HttpClient client = HealthApp.Client(app.Services);

        Assert.Equal(HttpStatusCode.OK, (await client.GetTextAsync("/alive")).Status);
        Assert.Equal(HttpStatusCode.OK, (await client.GetTextAsync("/ready-now")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetTextAsync("/healthz/live")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetTextAsync("/nothing")).Status);
        await app.StopAsync();
    }

    [Fact]
    public async Task A_user_check_tagged_ready_joins_the_readiness_probe()
    {
        var userCheck = new ToggleCheck();
        await using WebApplication app = HealthApp.Build(configure: builder =>
            builder.Services.AddHealthChecks().AddCheck("database", userCheck, tags: [OrleansRpcHealthTags.Ready]));
        await app.StartAsync();
        using HttpClient client = HealthApp.Client(app.Services);

        Assert.Equal(HttpStatusCode.OK, (await client.GetTextAsync("/healthz/ready")).Status);
        userCheck.Healthy = false;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetTextAsync("/healthz/ready")).Status);
        Assert.Equal(HttpStatusCode.OK, (await client.GetTextAsync("/healthz/live")).Status);
        await app.StopAsync();
    }

    [Fact]
    public async Task Health_paths_on_the_application_own_listener_reach_the_application()
    {
        await using WebApplication app = HealthApp.Build(configure: builder =>
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0)));
        app.MapGet("/healthz/live", () => "application");
        await app.StartAsync();

        IPEndPoint health = app.Services.GetRequiredService<HealthEndpoint>().EndPoint!;
        string other = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .Single(a => !a.EndsWith($":{health.Port}", StringComparison.Ordinal));
        using var appClient = new HttpClient { BaseAddress = new Uri(other), Timeout = HealthApp.Patience };
        using HttpClient healthClient = HealthApp.Client(app.Services);

        Assert.Equal("application", (await appClient.GetTextAsync("/healthz/live")).Body);
        Assert.Equal("Healthy", (await healthClient.GetTextAsync("/healthz/live")).Body);
        await app.StopAsync();
    }

    [Fact]
    public async Task Disabled_endpoint_opens_no_listener()
    {
        await using WebApplication app = HealthApp.Build(configure: builder =>
        {
            builder.Services.Configure<HealthEndpointOptions>(o => o.Enabled = false);
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        });
        await app.StartAsync();

        Assert.Null(app.Services.GetRequiredService<HealthEndpoint>().EndPoint);
        Assert.Single(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses);
        await app.StopAsync();
    }

    [Fact]
    public async Task Health_port_in_use_fails_start()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        int port = ((IPEndPoint)blocker.LocalEndpoint).Port;
        await using WebApplication app = HealthApp.Build(configure: builder =>
            builder.Services.Configure<HealthEndpointOptions>(o => o.Port = port));

        await Assert.ThrowsAsync<IOException>(() => app.StartAsync());
    }

    private sealed class ToggleCheck : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
    {
        public volatile bool Healthy = true;

        public Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
            Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(Healthy
                ? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy()
                : Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy("down"));
    }
}
