using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansRpc.Grains.Configuration;
using OrleansRpc.Grains.Hosting;

namespace OrleansRpc.Server;

/// <summary>Hosts unary calls in <see cref="IFunctionGroupGrain"/> activations (OrleansRpc.Grains) instead of running them directly.</summary>
public static class RapServerGrainsExtensions
{
    /// <summary>Adds the grain runtime (if missing) with <see cref="FunctionGroupGrain"/> and <see cref="SessionGrain"/>; unary calls and their sessions go through them.</summary>
    public static IRapServerBuilder UseFunctionGroupGrains(this IRapServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddGrains(silo => silo.AddGrain<FunctionGroupGrain>().AddGrain<SessionGrain>());
        builder.Services.Configure<RapServerOptions>(o => o.UseFunctionGroupGrains = true);

        // Session grains are collected after the rap session idle timeout, not the runtime's default age.
        builder.Services.AddOptions<GrainCollectionOptions>().Configure<IOptions<RapServerOptions>>(
            (collection, rap) => collection.ClassSpecificCollectionAge[typeof(SessionGrain).FullName!] = rap.Value.SessionIdleTimeout);
        return builder;
    }
}
