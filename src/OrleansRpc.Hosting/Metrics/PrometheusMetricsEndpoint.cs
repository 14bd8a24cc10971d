using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansRpc.Hosting.Metrics;

/// <summary>The <c>/metrics</c> request handler.</summary>
internal static class PrometheusMetricsEndpoint
{
    public static async Task WriteAsync(HttpContext context)
    {
        PrometheusMetricsCollector collector = context.RequestServices.GetRequiredService<PrometheusMetricsCollector>();
        string text = collector.Collect();
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = PrometheusMetricsCollector.ContentType;
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
    }
}
