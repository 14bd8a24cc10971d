using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.Hosting;

namespace Microsoft.AspNetCore.Builder;

/// <summary><c>builder.UseOrleansRpc()</c> on a <see cref="WebApplicationBuilder"/>.</summary>
public static class OrleansRpcWebApplicationBuilderExtensions
{
    /// <summary>
    /// Runs an OrleansRpc silo and its rap gateway in this web application, configured from the
    /// <c>OrleansRpc</c> section of <see cref="WebApplicationBuilder.Configuration"/> (appsettings.json,
    /// <c>ORLEANSRPC__*</c> environment variables, <c>--OrleansRpc:...</c> command-line options).
    /// The health endpoint is added to the application's pipeline; nothing needs mapping.
    /// </summary>
    public static WebApplicationBuilder UseOrleansRpc(this WebApplicationBuilder builder, Action<IOrleansRpcBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOrleansRpc(builder.Configuration, configure);
        return builder;
    }
}
