using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansRpc.Gateway;
using OrleansRpc.Gateway.Connections;
using OrleansRpc.Gateway.Protocol;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the rap gateway.</summary>
public static class RapGatewayServiceCollectionExtensions
{
    /// <summary>
    /// Adds the rap gateway: options (section <c>RapGateway</c> when bound, validated at start), the
    /// Kestrel listener with its connection handler, connection tracking and graceful drain. The host must
    /// run Kestrel (see <c>UseRapGateway</c> on <c>IWebHostBuilder</c>) and the server's functions
    /// (<c>services.AddRapServer(...)</c>), whose dispatcher serves the calls.
    /// </summary>
    public static IServiceCollection AddRapGateway(this IServiceCollection services, Action<RapGatewayOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<RapGatewayOptions> options = services.AddOptions<RapGatewayOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RapGatewayOptions>, RapGatewayOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<KestrelServerOptions>, RapGatewayKestrelSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RapGatewayLifetime>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RapGatewayEndpoint>();
        services.TryAddSingleton<RapConnectionTracker>();
        services.TryAddSingleton<IRapFrameHandlerFactory, RapProtocolHandlerFactory>();
        return services;
    }
}
