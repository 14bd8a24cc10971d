using System.Text;
using Microsoft.Extensions.Configuration;
using OrleansRpc.Gateway;

namespace OrleansRpc.Hosting.Tests.Deploy;

/// <summary>
/// The configuration a silo ends up with inside the image, computed the way <c>orleansrpc serve</c> layers
/// it: the image's appsettings.json, then the <c>--config</c> file, then environment variables (the
/// image's ENV, overridden by the container's env).
/// </summary>
internal sealed class DeploymentConfiguration
{
    private DeploymentConfiguration(IConfiguration configuration)
    {
        Configuration = configuration;
        Gateway = Bind<RapGatewayOptions>(OrleansRpcSections.Gateway);
        Health = Bind<HealthEndpointOptions>(OrleansRpcSections.Health);
        Metrics = Bind<MetricsOptions>(OrleansRpcSections.Metrics);
        Cluster = Bind<ClusterOptions>(OrleansRpcSections.Cluster);
    }

    public IConfiguration Configuration { get; }

    public RapGatewayOptions Gateway { get; }

    public HealthEndpointOptions Health { get; }

    public MetricsOptions Metrics { get; }

    public ClusterOptions Cluster { get; }

    public static DeploymentConfiguration Create(string? configFileContents, IReadOnlyDictionary<string, string> environment)
    {
        var builder = new ConfigurationBuilder().AddJsonFile(RepositoryPaths.HostAppSettings);
        if (configFileContents is not null)
        {
            builder.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(configFileContents)));
        }

        // The environment variables provider maps "__" to ":".
        builder.AddInMemoryCollection(environment.ToDictionary(kv => kv.Key.Replace("__", ":", StringComparison.Ordinal), kv => (string?)kv.Value));
        return new DeploymentConfiguration(builder.Build());
    }

    private T Bind<T>(string section)
        where T : new()
    {
        var options = new T();
        Configuration.GetSection(section).Bind(options);
        return options;
    }
}
