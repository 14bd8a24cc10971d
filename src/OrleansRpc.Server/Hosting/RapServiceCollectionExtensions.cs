using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Metadata;

namespace OrleansRpc.Server;

/// <summary>
/// <c>services.AddRapServer(...)</c>: the registry, the executor the server's grains run functions with, and the
/// dispatcher the gateway calls them through. The grains themselves (<see cref="FunctionGroupGrain"/>,
/// <see cref="SessionGrain"/>, <see cref="GeneratorGrain"/>, <see cref="ChannelGrain"/>) are found by Orleans in this
/// assembly; the host runs the silo (<c>UseOrleans</c>) or, for a gateway in front of a cluster, a client.
/// </summary>
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

        if (services.Any(d => d.ServiceType == typeof(RapFunctionExecutor)))
        {
            return new RapServerBuilder(services);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRapCallContextAccessor, RapCallContextAccessor>();
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
        services.TryAddSingleton(sp => new RapFunctionExecutor(
            sp.GetRequiredService<RapFunctionRegistry>(),
            sp.GetRequiredService<IOptions<RapServerOptions>>(),
            // The functions' clock (run timeouts, deadlines): the keyed one if registered, so tests can fake it
            // without faking Orleans' own clock.
            sp.GetKeyedService<TimeProvider>(RapServerOptions.TimeProviderKey) ?? sp.GetRequiredService<TimeProvider>(),
            sp.GetService<Microsoft.Extensions.Logging.ILogger<RapFunctionExecutor>>(),
            sp.GetService<OrleansRpc.Protocol.Errors.IPythonExceptionMapper>()));
        services.TryAddSingleton(sp => new RapDispatcher(
            sp.GetRequiredService<RapFunctionRegistry>(),
            sp.GetRequiredService<Orleans.IGrainFactory>(),
            sp.GetRequiredService<IOptions<RapServerOptions>>(),
            sp.GetService<Microsoft.Extensions.Logging.ILogger<RapDispatcher>>(),
            sp.GetServices<IRapDispatchObserver>(),
            sp.GetServices<IRapStreamAdmission>()));

        // The grains' Orleans settings that follow ours: the worker cap per group and the sessions' idle age.
        services.AddSingleton<IGrainPropertiesProvider, FunctionGroupGrainProperties>();
        services.AddOptions<GrainCollectionOptions>().PostConfigure<IOptions<RapServerOptions>>((collection, rap) =>
        {
            // Session grains are collected after the rap session idle timeout, not Orleans' default age. Idle activations
            // are looked for every CollectionQuantum (1 min by default), so a shorter timeout needs a shorter quantum
            // (half the timeout: a session goes between 1× and 1.5× its idle timeout after its last use).
            var idle = rap.Value.SessionIdleTimeout;
            if (idle <= TimeSpan.Zero || idle == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            collection.ClassSpecificCollectionAge[typeof(SessionGrain).FullName!] = idle;
            if (collection.CollectionQuantum >= idle)
            {
                collection.CollectionQuantum = idle / 2;
            }
        });

        // Orleans answers a grain call that outlives its response timeout; our run timeout answers first (in the grain),
        // so the response timeout is only the backstop for a grain that cannot answer at all.
        services.AddOptions<SiloMessagingOptions>().PostConfigure<IOptions<RapServerOptions>>((messaging, rap) =>
            messaging.ResponseTimeout = Backstop(messaging.ResponseTimeout, rap.Value.RunTimeout));
        services.AddOptions<ClientMessagingOptions>().PostConfigure<IOptions<RapServerOptions>>((messaging, rap) =>
            messaging.ResponseTimeout = Backstop(messaging.ResponseTimeout, rap.Value.RunTimeout));
        return new RapServerBuilder(services);
    }

    private static TimeSpan Backstop(TimeSpan configured, TimeSpan runTimeout)
    {
        if (configured <= TimeSpan.Zero)
        {
            return configured; // invalid: left for validation to report
        }

        if (runTimeout == Timeout.InfiniteTimeSpan)
        {
            return TimeSpan.FromDays(1);
        }

        var needed = runTimeout + TimeSpan.FromSeconds(5);
        return configured < needed ? needed : configured;
    }
}
