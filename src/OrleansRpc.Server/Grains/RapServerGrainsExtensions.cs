using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.Grains.Hosting;

namespace OrleansRpc.Server;

/// <summary>Hosts unary calls in <see cref="IFunctionGroupGrain"/> activations (OrleansRpc.Grains) instead of running them directly.</summary>
public static class RapServerGrainsExtensions
{
    /// <summary>Adds the grain runtime (if missing) with <see cref="FunctionGroupGrain"/> and routes unary calls through it.</summary>
    public static IRapServerBuilder UseFunctionGroupGrains(this IRapServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddGrains(silo => silo.AddGrain<FunctionGroupGrain>());
        builder.Services.Configure<RapServerOptions>(o => o.UseFunctionGroupGrains = true);
        return builder;
    }
}
