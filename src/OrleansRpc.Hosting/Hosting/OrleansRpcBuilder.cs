using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using OrleansRpc.Server;

namespace OrleansRpc.Hosting;

internal sealed class OrleansRpcBuilder(IServiceCollection services, IConfiguration configuration, IRapServerBuilder server, ISiloBuilder silo) : IOrleansRpcBuilder
{
    public IServiceCollection Services { get; } = services;

    public IConfiguration Configuration { get; } = configuration;

    public IRapServerBuilder Server { get; } = server;

    public ISiloBuilder Silo { get; } = silo;
}
