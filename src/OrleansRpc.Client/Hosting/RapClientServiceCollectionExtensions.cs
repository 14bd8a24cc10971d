using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansRpc.Client;

/// <summary>DI registration of the rap client.</summary>
public static class RapClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="RapClient"/> configured by <paramref name="configure"/> (options are validated
    /// at start). Typed proxies can then be added with <see cref="AddRapProxy{T}"/>.
    /// </summary>
    public static IServiceCollection AddRapClient(this IServiceCollection services, Action<RapClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<RapClientOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RapClientOptions>, RapClientOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new RapClient(
            sp.GetRequiredService<IOptions<RapClientOptions>>().Value,
            sp.GetService<ILogger<RapClient>>(),
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>Registers a typed proxy of <typeparamref name="T"/> built from the registered <see cref="RapClient"/>.</summary>
    public static IServiceCollection AddRapProxy<T>(this IServiceCollection services)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => sp.GetRequiredService<RapClient>().CreateProxy<T>());
        return services;
    }
}
