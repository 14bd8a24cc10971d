using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansRpc.Grains.Configuration;
using OrleansRpc.Grains.Hosting;

namespace OrleansRpc.Server;

/// <summary>Hosts unary calls in <see cref="IFunctionGroupGrain"/> activations and sessions in <see cref="ISessionGrain"/> activations.</summary>
public static class RapServerGrainsExtensions
{
    /// <summary>
    /// Makes sure the grain path is on (it is by default since <c>AddRapServer</c> adds it; kept for hosts that say so
    /// explicitly). Idempotent.
    /// </summary>
    public static IRapServerBuilder UseFunctionGroupGrains(this IRapServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddRapGrains(builder.Services);
        builder.Services.Configure<RapServerOptions>(o => o.UseFunctionGroupGrains = true);
        return builder;
    }

    /// <summary>Runs calls directly on the dispatcher instead of in grains (benchmarks of the binding alone).</summary>
    public static IRapServerBuilder UseDirectExecution(this IRapServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<RapServerOptions>(o => o.UseFunctionGroupGrains = false);
        return builder;
    }

    /// <summary>The grain runtime (if missing), the two server grains, the "rap" memory streams and the options they derive from ours.</summary>
    internal static void AddRapGrains(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(RapGrainsMarker)))
        {
            return;
        }

        services.AddSingleton<RapGrainsMarker>();
        services.AddGrains(silo => silo
            .AddGrain<FunctionGroupGrain>()
            .AddGrain<SessionGrain>()
            .AddMemoryStreams(RapStreams.ProviderName));

        services.AddOptions<StatelessWorkerOptions>().Configure<IOptions<RapServerOptions>>(
            (workers, rap) => workers.ClassSpecificMaxLocalWorkers[typeof(FunctionGroupGrain).FullName!] = rap.Value.MaxLocalWorkers);

        // Session grains are collected after the rap session idle timeout, not the runtime's default age; idle
        // activations are only looked for every CollectionQuantum (1 min by default), so a shorter timeout needs a
        // shorter quantum (half the timeout: a session goes between 1× and 1.5× its idle timeout after its last use).
        services.AddOptions<GrainCollectionOptions>().PostConfigure<IOptions<RapServerOptions>>((collection, rap) =>
        {
            var idle = rap.Value.SessionIdleTimeout;
            collection.ClassSpecificCollectionAge[typeof(SessionGrain).FullName!] = idle;
            if (idle > TimeSpan.Zero && idle != Timeout.InfiniteTimeSpan && collection.CollectionQuantum > idle / 2)
            {
                collection.CollectionQuantum = idle / 2;
            }
        });
    }

    private sealed class RapGrainsMarker;
}
