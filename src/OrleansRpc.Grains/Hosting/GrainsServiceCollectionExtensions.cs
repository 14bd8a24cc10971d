using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansRpc.Grains.Configuration;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Hosting;

/// <summary>Registers the grain runtime.</summary>
public static class GrainsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the in-process grain runtime: <see cref="IGrainFactory"/>, <see cref="IClusterClient"/>, the silo
    /// life cycle and an <see cref="IHostedService"/> that starts and stops it. Call once; configure through
    /// <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddGrains(this IServiceCollection services, Action<ISiloBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        if (!services.Any(d => d.ServiceType == typeof(GrainRuntime)))
        {
            services.AddLogging();
            services.TryAddSingleton(TimeProvider.System);
            services.AddOptions<GrainCollectionOptions>().ValidateOnStart();
            services.AddOptions<SiloMessagingOptions>().ValidateOnStart();
            services.AddOptions<StatelessWorkerOptions>().ValidateOnStart();
            services.AddOptions<GrainTypeOptions>();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GrainCollectionOptions>, GrainsOptionsValidator>());
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SiloMessagingOptions>, GrainsOptionsValidator>());
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StatelessWorkerOptions>, GrainsOptionsValidator>());
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MemoryStreamOptions>, GrainsOptionsValidator>());

            services.AddSingleton<GrainRuntime>();
            services.AddSingleton<GrainFactory>();
            services.AddSingleton<IGrainFactory>(sp => sp.GetRequiredService<GrainFactory>());
            services.AddSingleton<IClusterClient>(sp => sp.GetRequiredService<GrainFactory>());
            // As in Orleans, a grain constructor may take its IGrainContext (POCO grains implementing IGrainBase).
            services.AddTransient<IGrainContext>(_ => RuntimeContext.Current
                ?? throw new InvalidOperationException("IGrainContext can only be resolved while the runtime constructs a grain."));
            services.AddSingleton<SiloLifecycleSubject>();
            services.AddSingleton<ISiloLifecycle>(sp => sp.GetRequiredService<SiloLifecycleSubject>());
            services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<GrainRuntime>());
            services.AddSingleton<SiloHostedService>();
            services.AddHostedService(sp => sp.GetRequiredService<SiloHostedService>());
        }

        configure(new SiloBuilder(services));
        return services;
    }
}
