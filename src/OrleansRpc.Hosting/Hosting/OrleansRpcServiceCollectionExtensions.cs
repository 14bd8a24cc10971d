using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansRpc.Gateway;
using Orleans.Configuration;
using Orleans.Hosting;
using OrleansRpc.Hosting;
using OrleansRpc.Hosting.Metrics;
using OrleansRpc.Server;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a whole OrleansRpc host: grains, server, gateway, health and metrics.</summary>
public static class OrleansRpcServiceCollectionExtensions
{
    /// <summary>Margin on top of ShutdownDelay + DrainTimeout for the host's own shutdown timeout.</summary>
    private static readonly TimeSpan s_shutdownMargin = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Adds the grain runtime, the rap server, the rap gateway, the health endpoint and the Prometheus
    /// endpoint, all bound from the <c>OrleansRpc</c> section of <paramref name="configuration"/>
    /// (see <see cref="OrleansRpcSections"/>) and validated when the host starts, with messages naming the
    /// key at fault. The host must run Kestrel (a <c>WebApplication</c> does). Call once per host.
    /// </summary>
    public static IOrleansRpcBuilder AddOrleansRpc(this IServiceCollection services, IConfiguration configuration, Action<IOrleansRpcBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);

        // Listening first, so the other components' instruments are seen from their start.
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection(OrleansRpcSections.Metrics)).ValidateOnStart();
        services.TryAddSingleton<PrometheusMetricsCollector>();
        services.AddHostedService(sp => sp.GetRequiredService<PrometheusMetricsCollector>());

        services.AddOptions<OrleansRpc.Hosting.ClusterOptions>()
            .Bind(configuration.GetSection(OrleansRpcSections.Cluster))
            .PostConfigure(o => o.SiloName ??= Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : Environment.MachineName)
            .ValidateOnStart();

        // The Orleans silo, in this process: localhost clustering and in-memory everything unless configured otherwise.
        ISiloBuilder? silo = null;
        services.AddOrleans(s =>
        {
            silo = s;
            OrleansRpcSilo.Configure(s, configuration);
        });
        services.AddOptions<GrainCollectionOptions>().Bind(configuration.GetSection(OrleansRpcSections.GrainsCollection)).ValidateOnStart();
        services.AddOptions<SiloMessagingOptions>().Bind(configuration.GetSection(OrleansRpcSections.GrainsMessaging)).ValidateOnStart();
        services.AddOptions<StatelessWorkerOptions>().Bind(configuration.GetSection(OrleansRpcSections.GrainsStatelessWorker)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GrainCollectionOptions>, OrleansSiloOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SiloMessagingOptions>, OrleansSiloOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StatelessWorkerOptions>, OrleansSiloOptionsValidator>());

        // Function groups run as [StatelessWorker] grains, sessions as keyed grains, generators and channels as keyed grains.
        IRapServerBuilder server = services.AddRapServer();
        services.AddOptions<RapServerOptions>().Bind(configuration.GetSection(OrleansRpcSections.Server));

        services.AddRapGateway();
        services.AddOptions<RapGatewayOptions>().Bind(configuration.GetSection(OrleansRpcSections.Gateway));

        // rap's plug-ins (connection limits, IP filter, crypto, rate limits, access log, metrics, tracing):
        // each is switched on by its section under OrleansRpc:Middleware (see the Middleware README).
        services.AddRapMiddleware(configuration);

        services.AddOrleansRpcHealth();
        services.AddOptions<HealthEndpointOptions>().Bind(configuration.GetSection(OrleansRpcSections.Health));

        // The host must outlive the readiness delay plus the gateway's drain.
        services.AddOptions<HostOptions>().PostConfigure<IOptions<HealthEndpointOptions>, IOptions<RapGatewayOptions>>((host, health, gateway) =>
        {
            TimeSpan needed;
            try
            {
                needed = health.Value.ShutdownDelay + gateway.Value.DrainTimeout + s_shutdownMargin;
            }
            catch (OptionsValidationException)
            {
                return; // reported by start-up validation, with every other failure
            }

            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });

        // The components validate their options; their messages are re-keyed to this tree.
        SectionKeyedValidator<RapGatewayOptions>.Decorate(services, OrleansRpcSections.Gateway, RapGatewayOptions.SectionName + ":");
        SectionKeyedValidator<RapServerOptions>.Decorate(services, OrleansRpcSections.Server);

        var builder = new OrleansRpcBuilder(services, configuration, server, silo!);
        AddConfiguredFunctionAssemblies(builder, configuration);
        configure?.Invoke(builder);
        return builder;
    }

    /// <summary>
    /// Adds readiness (<see cref="OrleansRpcReadiness"/>), the liveness and readiness health checks, the health
    /// listener on its own port with the <c>/healthz/*</c> and <c>/metrics</c> paths, and the shutdown order
    /// (readiness false, optional delay, then the gateway drains). Part of <c>AddOrleansRpc</c>.
    /// </summary>
    public static IServiceCollection AddOrleansRpcHealth(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(OrleansRpcReadiness)))
        {
            return services;
        }

        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<HealthEndpointOptions>().ValidateOnStart();
        services.AddOptions<MetricsOptions>().ValidateOnStart();
        services.AddOptions<OrleansRpc.Hosting.ClusterOptions>().ValidateOnStart();
        services.AddOptions<RapGatewayOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OrleansRpc.Hosting.ClusterOptions>, HostingOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HealthEndpointOptions>, HostingOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MetricsOptions>, HostingOptionsValidator>());

        services.AddSingleton<OrleansRpcReadiness>();
        services.TryAddSingleton<HealthEndpoint>();
        services.TryAddSingleton<PrometheusMetricsCollector>();
        services.AddHostedService(sp => sp.GetRequiredService<PrometheusMetricsCollector>());
        services.TryAddSingleton<HostingInstruments>();
        services.AddHealthChecks()
            .AddCheck<LivenessHealthCheck>("orleansrpc-live", tags: [OrleansRpcHealthTags.Live])
            .AddCheck<ReadinessHealthCheck>("orleansrpc-ready", tags: [OrleansRpcHealthTags.Ready]);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<KestrelServerOptions>, HealthEndpointKestrelSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, HealthEndpointStartupFilter>());

        // Registered after the gateway: StoppingAsync runs in reverse order, so readiness work precedes the drain.
        services.AddHostedService(sp =>
        {
            _ = sp.GetRequiredService<HostingInstruments>();
            return ActivatorUtilities.CreateInstance<ReadinessLifecycle>(sp);
        });
        return services;
    }

    private static void AddConfiguredFunctionAssemblies(IOrleansRpcBuilder builder, IConfiguration configuration)
    {
        var functions = new FunctionAssemblyOptions();
        configuration.GetSection(OrleansRpcSections.Functions).Bind(functions);
        for (int i = 0; i < functions.Assemblies.Count; i++)
        {
            string key = $"{OrleansRpcSections.Functions}:{nameof(FunctionAssemblyOptions.Assemblies)}:{i}";
            string path = functions.Assemblies[i];
            try
            {
                builder.AddFunctionAssembly(path);
            }
            catch (Exception ex) when (ex is FileNotFoundException or BadImageFormatException or FileLoadException or ArgumentException)
            {
                throw new OptionsValidationException(
                    key,
                    typeof(FunctionAssemblyOptions),
                    [$"{key}: cannot load function assembly '{path}': {ex.Message}"]);
            }
        }
    }
}
