using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OrleansRpc.Hosting.Metrics;

namespace OrleansRpc.Hosting;

/// <summary>
/// Puts the health pipeline in front of the application's: requests that arrive on the health listener are
/// answered here (live, ready, metrics, else 404) and never reach the application; other requests pass by.
/// </summary>
internal sealed class HealthEndpointStartupFilter : IStartupFilter
{
    private readonly IOptions<HealthEndpointOptions> _health;
    private readonly IOptions<MetricsOptions> _metrics;

    public HealthEndpointStartupFilter(IOptions<HealthEndpointOptions> health, IOptions<MetricsOptions> metrics)
    {
        _health = health;
        _metrics = metrics;
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        HealthEndpointOptions health = _health.Value;
        if (health.Enabled)
        {
            app.MapWhen(IsHealthRequest, branch => ConfigureHealth(branch, health, _metrics.Value));
        }

        next(app);
    };

    internal static bool IsHealthRequest(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(HealthEndpointKestrelSetup.ConnectionMarker) == true;

    private static void ConfigureHealth(IApplicationBuilder branch, HealthEndpointOptions health, MetricsOptions metrics)
    {
        branch.UseHealthChecks(health.LivePath, Probe(OrleansRpcHealthTags.Live));
        branch.UseHealthChecks(health.ReadyPath, Probe(OrleansRpcHealthTags.Ready));
        if (metrics.Enabled)
        {
            branch.Map(metrics.Path, m => m.Run(PrometheusMetricsEndpoint.WriteAsync));
        }

        branch.Run(static context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    }

    private static HealthCheckOptions Probe(string tag) => new()
    {
        Predicate = registration => registration.Tags.Contains(tag),
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status200OK,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
    };
}
