using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansRpc.Hosting.Tests;

/// <summary>Web applications for health endpoint tests, on ephemeral loopback ports.</summary>
internal static class HealthApp
{
    /// <summary>Guards awaits against hangs; never a timing assertion.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>A web application with only the health endpoint (no silo, no gateway) and an optional gate.</summary>
    public static WebApplication Build(LifecycleGate? gate = null, Action<WebApplicationBuilder>? configure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (gate is not null)
        {
            // Registered before health, as the gateway is in AddOrleansRpc: its StoppingAsync runs after readiness turned false.
            builder.Services.AddSingleton(gate);
            builder.Services.AddHostedService(sp => sp.GetRequiredService<LifecycleGate>());
        }

        builder.Services.AddOrleansRpcHealth();
        builder.Services.Configure<HealthEndpointOptions>(o =>
        {
            o.Host = "127.0.0.1";
            o.Port = 0;
        });
        configure?.Invoke(builder);
        return builder.Build();
    }

    /// <summary>An HTTP client for the bound health endpoint.</summary>
    public static HttpClient Client(IServiceProvider services)
    {
        IPEndPoint endPoint = services.GetRequiredService<HealthEndpoint>().EndPoint
            ?? throw new InvalidOperationException("The health endpoint is not bound.");
        return new HttpClient { BaseAddress = new Uri($"http://{endPoint}"), Timeout = Patience };
    }

    public static async Task<(HttpStatusCode Status, string Body)> GetTextAsync(this HttpClient client, string path)
    {
        using HttpResponseMessage response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
