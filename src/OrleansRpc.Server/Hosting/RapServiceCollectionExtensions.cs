using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OrleansRpc.Server;

/// <summary><c>services.AddRapServer(...)</c>: the registry, dispatcher, session store, call-context accessor and the grain runtime hosting them (the host starts the silo).</summary>
public static class RapServiceCollectionExtensions
{
    public static IRapServerBuilder AddRapServer(this IServiceCollection services, Action<RapServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<RapServerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o =>
        {
            o.Validate();
            return true;
        }).ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);

        // The production path: function groups, sessions, generators and channels on the grain runtime.
        RapServerGrainsExtensions.AddRapGrains(services);
        services.TryAddSingleton<IRapCallContextAccessor, RapCallContextAccessor>();
        services.TryAddSingleton<RapSessionStore>();
        services.TryAddSingleton(sp =>
        {
            // Registration errors surface here, when the host first resolves the registry (at start-up).
            var registry = new RapFunctionRegistry();
            if (sp.GetRequiredService<IOptions<RapServerOptions>>().Value.AddRegistryFunctions)
            {
                new RegistryFunctions(registry).Register();
            }

            foreach (var registration in sp.GetServices<RapFunctionRegistration>())
            {
                registration.Apply(registry, sp);
            }

            return registry;
        });
        services.TryAddSingleton(sp => new RapDispatcher(
            sp.GetRequiredService<RapFunctionRegistry>(),
            sp.GetRequiredService<RapSessionStore>(),
            sp.GetRequiredService<IOptions<RapServerOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<Microsoft.Extensions.Logging.ILogger<RapDispatcher>>(),
            sp.GetService<OrleansRpc.Protocol.Errors.IPythonExceptionMapper>(),
            sp.GetService<OrleansRpc.Grains.IGrainFactory>(),
            sp.GetKeyedService<OrleansRpc.Grains.Streams.IStreamProvider>(RapStreams.ProviderName),
            sp.GetServices<IRapDispatchObserver>()));
        return new RapServerBuilder(services);
    }
}
