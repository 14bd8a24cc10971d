using Microsoft.Extensions.DependencyInjection;

namespace OrleansRpc.Grains.Hosting;

/// <summary>Configures the grain runtime: grain classes, filters, stream providers, options.</summary>
public interface ISiloBuilder
{
    IServiceCollection Services { get; }
}
