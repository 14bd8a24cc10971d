using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting;
using Orleans.TestingHost;
using OrleansRpc.Gateway;
using OrleansRpc.Server;

namespace OrleansRpc.TestingHost;

/// <summary>
/// Makes a silo of an Orleans test cluster a rap silo: the rap server with the builder's functions and options in the
/// silo, and the rap gateway (Kestrel, 127.0.0.1, a free port) in the silo's host. Orleans creates configurators by
/// type, so the builder is found through the cluster's configuration (<see cref="TestCluster.BuilderKey"/>).
/// </summary>
internal sealed class RapSiloConfigurator : ISiloConfigurator, IHostConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        TestClusterBuilder builder = TestCluster.BuilderFor(siloBuilder.Configuration[TestCluster.BuilderKey]);
        IServiceCollection services = siloBuilder.Services;
        services.Configure<HostOptions>(o => o.ShutdownTimeout = builder.ShutdownTimeout);
        if (builder.AddsServer)
        {
            IRapServerBuilder server = services.AddRapServer(o =>
            {
                foreach (var configureServer in builder.ServerConfigurations)
                {
                    configureServer(o);
                }
            });
            foreach (var register in builder.FunctionRegistrations)
            {
                register(server);
            }
        }

        foreach (var configureSilo in builder.SiloConfigurations)
        {
            configureSilo(siloBuilder);
        }

        foreach (var configureServices in builder.ServiceConfigurations)
        {
            configureServices(services);
        }
    }

    public void Configure(IHostBuilder hostBuilder)
    {
        // Orleans' test hosts validate every registration at build; a test that swaps the gateway's frame handler
        // leaves the default one registered but unused (and unresolvable without the rap server), as a host may.
        hostBuilder.UseDefaultServiceProvider(o =>
        {
            o.ValidateOnBuild = false;
            o.ValidateScopes = false;
        });
        hostBuilder.ConfigureWebHost(web => web
            .UseRapGateway(options =>
            {
                options.Host = "127.0.0.1";
                options.Port = 0;
            })
            .Configure(static _ => { }));
        hostBuilder.ConfigureServices((context, services) =>
        {
            TestClusterBuilder builder = TestCluster.BuilderFor(context.Configuration[TestCluster.BuilderKey]);
            foreach (var configureGateway in builder.GatewayConfigurations)
            {
                services.Configure(configureGateway);
            }
        });
        hostBuilder.ConfigureLogging((context, logging) =>
        {
            TestClusterBuilder builder = TestCluster.BuilderFor(context.Configuration[TestCluster.BuilderKey]);
            foreach (var configureLogging in builder.LoggingConfigurations)
            {
                configureLogging(logging);
            }
        });
    }
}
