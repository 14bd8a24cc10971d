using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansRpc.Gateway;
using Orleans;
using OrleansRpc.Middleware;
using OrleansRpc.Middleware.Admin;
using OrleansRpc.Middleware.Connections;
using OrleansRpc.Middleware.Crypto;
using OrleansRpc.Middleware.Diagnostics;
using OrleansRpc.Middleware.IpFiltering;
using OrleansRpc.Middleware.RateLimiting;
using OrleansRpc.Protocol.Crypto;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Switches rap's server plug-ins on. Connection middlewares run in the order they are added (<see cref="AddRapMiddleware"/>
/// adds the IP filter, then the per-IP limit, then the connection limit); each also registers its private admin
/// functions. Call processors run as Orleans grain call filters in the silo.
/// </summary>
public static class RapMiddlewareServiceCollectionExtensions
{
    /// <summary>
    /// Adds every feature whose section exists below <c>OrleansRpc:Middleware</c> in <paramref name="configuration"/>
    /// (see <see cref="RapMiddlewareSections"/>), bound and validated at start.
    /// </summary>
    public static IServiceCollection AddRapMiddleware(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        BindIfPresent<RapRefusalOptions>(services, configuration, RapMiddlewareSections.Refusal);
        if (BindIfPresent<RapIpFilterOptions>(services, configuration, RapMiddlewareSections.IpFilter))
        {
            services.AddRapIpFilter();
        }

        if (BindIfPresent<RapIpConnectionLimitOptions>(services, configuration, RapMiddlewareSections.IpConnectionLimit))
        {
            services.AddRapIpConnectionLimit();
        }

        if (BindIfPresent<RapConnectionLimitOptions>(services, configuration, RapMiddlewareSections.ConnectionLimit))
        {
            services.AddRapConnectionLimit();
        }

        if (BindIfPresent<RapCryptoOptions>(services, configuration, RapMiddlewareSections.Crypto))
        {
            services.AddRapCrypto();
        }

        if (BindIfPresent<RapRateLimitOptions>(services, configuration, RapMiddlewareSections.RateLimit))
        {
            services.AddRapRateLimiting();
        }

        if (BindIfPresent<RapTelemetryOptions>(services, configuration, RapMiddlewareSections.Telemetry))
        {
            services.AddRapTelemetry();
        }

        return services;
    }

    /// <summary>rap's <c>ConnLimitMiddleware</c>: at most <c>MaxConnections</c>, then refusals for <c>BlockTime</c>.</summary>
    public static IServiceCollection AddRapConnectionLimit(this IServiceCollection services, Action<RapConnectionLimitOptions>? configure = null)
    {
        AddCommon(services);
        Options(services, configure)
            .Validate(o => o.MaxConnections >= 0, RapMiddlewareSections.ConnectionLimit + ":MaxConnections must not be negative")
            .Validate(o => o.BlockTime >= TimeSpan.Zero, RapMiddlewareSections.ConnectionLimit + ":BlockTime must not be negative");
        if (services.Any(d => d.ServiceType == typeof(RapConnectionLimiter)))
        {
            return services;
        }

        services.AddSingleton(sp => new RapConnectionLimiter(sp.GetRequiredService<IOptions<RapConnectionLimitOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRapConnectionMiddleware, RapConnectionLimitMiddleware>();
        services.AddSingleton(RapAdminFunctions.ConnectionLimit());
        return services;
    }

    /// <summary>rap's <c>IpMaxConnMiddleware</c>: at most <c>MaxConnectionsPerIp</c> connections per client address.</summary>
    public static IServiceCollection AddRapIpConnectionLimit(this IServiceCollection services, Action<RapIpConnectionLimitOptions>? configure = null)
    {
        AddCommon(services);
        Options(services, configure)
            .Validate(o => o.MaxConnectionsPerIp >= 0, RapMiddlewareSections.IpConnectionLimit + ":MaxConnectionsPerIp must not be negative")
            .Validate(o => o.Timeout > TimeSpan.Zero, RapMiddlewareSections.IpConnectionLimit + ":Timeout must be positive");
        if (services.Any(d => d.ServiceType == typeof(RapIpConnectionLimiter)))
        {
            return services;
        }

        services.AddSingleton(sp => new RapIpConnectionLimiter(sp.GetRequiredService<IOptions<RapIpConnectionLimitOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRapConnectionMiddleware, RapIpConnectionLimitMiddleware>();
        services.AddSingleton(RapAdminFunctions.IpConnectionLimit());
        return services;
    }

    /// <summary>rap's <c>IpFilterMiddleware</c>: allow and block lists of addresses and CIDR ranges.</summary>
    public static IServiceCollection AddRapIpFilter(this IServiceCollection services, Action<RapIpFilterOptions>? configure = null)
    {
        AddCommon(services);
        Options(services, configure).Validate(
            o => o.AllowList.Concat(o.BlockList).All(e => IpRange.TryParse(e, out _)),
            RapMiddlewareSections.IpFilter + ": every AllowList/BlockList entry must be an IP address or CIDR range");
        if (services.Any(d => d.ServiceType == typeof(RapIpFilter)))
        {
            return services;
        }

        services.AddSingleton(sp => new RapIpFilter(sp.GetRequiredService<IOptions<RapIpFilterOptions>>().Value));
        services.AddSingleton<IRapConnectionMiddleware, RapIpFilterMiddleware>();
        services.AddSingleton(RapAdminFunctions.IpFilter());
        return services;
    }

    /// <summary>
    /// rap's <c>CryptoProcessor</c>: the key table and windows the gateway uses for both generations (replaces
    /// <c>RapGateway:CryptoKeys</c>, whose keys are included), the shared nonce store (in memory unless an
    /// <see cref="INonceStore"/> is registered before) and the admin functions.
    /// </summary>
    public static IServiceCollection AddRapCrypto(this IServiceCollection services, Action<RapCryptoOptions>? configure = null)
    {
        Options(services, configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RapCryptoOptions>, RapCryptoOptionsValidator>());
        if (services.Any(d => d.ServiceType == typeof(RapCryptoSettings)))
        {
            return services;
        }

        services.TryAddSingleton<INonceStore, InMemoryNonceStore>();
        services.AddSingleton(sp => new RapCryptoSettings(sp.GetRequiredService<IOptions<RapCryptoOptions>>(), sp.GetService<IOptions<RapGatewayOptions>>()));
        services.AddSingleton<IRapCryptoSettings>(sp => sp.GetRequiredService<RapCryptoSettings>());
        services.AddSingleton(RapAdminFunctions.Crypto());
        return services;
    }

    /// <summary>rap's <c>LimitProcessor</c>: token-bucket rules; the excess is answered TooManyRequest (HEAD 429, 0.5.3.8 511).</summary>
    public static IServiceCollection AddRapRateLimiting(this IServiceCollection services, Action<RapRateLimitOptions>? configure = null)
    {
        AddCommon(services);
        Options(services, configure).Validate(
            o => o.Rules.All(r => r.MaxTokens >= 1 && r.TokensPerPeriod >= 1 && r.Period > TimeSpan.Zero
                && (r.ClientIp is null || IpRange.TryParse(r.ClientIp, out _))
                && (r.PartitionBy != RapRateLimitPartition.Header || r.HeaderName is not null)),
            RapMiddlewareSections.RateLimit + ":Rules: MaxTokens and TokensPerPeriod must be at least 1, Period positive, ClientIp an address or CIDR range, and PartitionBy=Header needs HeaderName");
        services.TryAddSingleton<RapRateLimiter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<OrleansRpc.Server.IRapStreamAdmission, RapRateLimitAdmission>());
        AddCallFilter(services);
        return services;
    }

    /// <summary>Access log, call metrics, spans, connection metrics and (with an endpoint) OTLP export.</summary>
    public static IServiceCollection AddRapTelemetry(this IServiceCollection services, Action<RapTelemetryOptions>? configure = null)
    {
        AddCommon(services);
        Options(services, configure).Validate(
            o => o.OtlpProtocol is "grpc" or "http/protobuf",
            RapMiddlewareSections.Telemetry + ":OtlpProtocol must be grpc or http/protobuf");
        AddCallFilter(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<OrleansRpc.Server.IRapDispatchObserver, RapStreamTelemetry>());
        if (!services.Any(d => d.ServiceType == typeof(RapOpenTelemetryService)))
        {
            services.AddSingleton<RapOpenTelemetryService>();
            services.AddHostedService(sp => sp.GetRequiredService<RapOpenTelemetryService>());
            services.AddSingleton<IRapConnectionMiddleware>(sp =>
                sp.GetRequiredService<IOptions<RapTelemetryOptions>>().Value.ConnectionMetrics
                    ? new RapConnectionMetricsMiddleware(sp.GetRequiredService<RapMiddlewareInstruments>())
                    : new PassThroughConnectionMiddleware());
        }

        return services;
    }

    private static void AddCommon(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RapMiddlewareInstruments>();
        services.AddOptions<RapRefusalOptions>()
            .Validate(o => o.ReplyTimeout >= TimeSpan.Zero && o.MaxPendingReplies >= 0, RapMiddlewareSections.Refusal + ": ReplyTimeout and MaxPendingReplies must not be negative")
            .ValidateOnStart();
        services.TryAddSingleton(sp => new RapConnectionRefusal(sp.GetRequiredService<IOptions<RapRefusalOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
    }

    private static void AddCallFilter(IServiceCollection services)
    {
        services.AddOptions<RapTelemetryOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IIncomingGrainCallFilter, RapCallFilter>());
    }

    private static OptionsBuilder<T> Options<T>(IServiceCollection services, Action<T>? configure)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<T> builder = services.AddOptions<T>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        return builder.ValidateOnStart();
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Options types are preserved by their registration.")]
    private static bool BindIfPresent<T>(IServiceCollection services, IConfiguration configuration, string path)
        where T : class
    {
        IConfigurationSection section = configuration.GetSection(path);
        if (!section.Exists() || string.Equals(section["Enabled"], "false", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        services.AddOptions<T>().Bind(section);
        return true;
    }

    private sealed class PassThroughConnectionMiddleware : IRapConnectionMiddleware
    {
        public Task OnConnectionAsync(Microsoft.AspNetCore.Connections.ConnectionContext connection, Microsoft.AspNetCore.Connections.ConnectionDelegate next) => next(connection);
    }
}
