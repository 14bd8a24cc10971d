using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansRpc.Gateway;
using OrleansRpc.Server;

namespace OrleansRpc.TestingHost;

/// <summary>
/// A gateway and its runtime running in process on an ephemeral 127.0.0.1 port, for tests: start it with
/// <see cref="StartAsync"/>, connect to <see cref="EndPoint"/>, dispose it to stop.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private bool _stopped;

    private TestCluster(IHost host, IPEndPoint endPoint)
    {
        Host = host;
        EndPoint = endPoint;
    }

    /// <summary>The running host.</summary>
    public IHost Host { get; }

    /// <summary>The host's services.</summary>
    public IServiceProvider Services => Host.Services;

    /// <summary>Where the gateway listens.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Builds and starts a cluster.</summary>
    public static async Task<TestCluster> StartAsync(Action<TestClusterBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        var builder = new TestClusterBuilder();
        configure?.Invoke(builder);

        IHost host = new HostBuilder()
            .ConfigureLogging(logging =>
            {
                foreach (var configureLogging in builder.LoggingConfigurations)
                {
                    configureLogging(logging);
                }
            })
            .ConfigureServices(services =>
            {
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

                foreach (var configureServices in builder.ServiceConfigurations)
                {
                    configureServices(services);
                }
            })
            .ConfigureWebHost(web => web
                .UseRapGateway(options =>
                {
                    options.Host = "127.0.0.1";
                    options.Port = 0;
                    foreach (var configureGateway in builder.GatewayConfigurations)
                    {
                        configureGateway(options);
                    }
                })
                .Configure(static _ => { }))
            .Build();

        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        IPEndPoint endPoint = host.Services.GetRequiredService<RapGatewayEndpoint>().EndPoint
            ?? throw new InvalidOperationException("The gateway did not report its endpoint.");
        return new TestCluster(host, endPoint);
    }

    /// <summary>Stops the host: the gateway drains its connections.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await Host.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            Host.Dispose();
        }
    }
}
