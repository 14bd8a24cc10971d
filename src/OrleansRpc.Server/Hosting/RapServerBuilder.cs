using Microsoft.Extensions.DependencyInjection;

namespace OrleansRpc.Server;

internal sealed class RapServerBuilder(IServiceCollection services) : IRapServerBuilder
{
    public IServiceCollection Services { get; } = services;
}
