using Microsoft.Extensions.DependencyInjection;

namespace OrleansRpc.Grains.Hosting;

internal sealed class SiloBuilder(IServiceCollection services) : ISiloBuilder
{
    public IServiceCollection Services { get; } = services;
}
