using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.Gateway;

namespace Microsoft.AspNetCore.Hosting;

/// <summary>Runs the rap gateway on a web host's Kestrel.</summary>
public static class RapGatewayWebHostBuilderExtensions
{
    /// <summary>
    /// Uses Kestrel and adds the rap listener (<see cref="RapGatewayServiceCollectionExtensions.AddRapGateway"/>).
    /// Kestrel then listens only where the gateway says, serving rap frames, not HTTP.
    /// </summary>
    public static IWebHostBuilder UseRapGateway(this IWebHostBuilder builder, Action<RapGatewayOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseKestrel().ConfigureServices(services => services.AddRapGateway(configure));
    }
}
