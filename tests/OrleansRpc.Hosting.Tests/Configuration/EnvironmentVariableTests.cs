using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansRpc.Gateway;

namespace OrleansRpc.Hosting.Tests.Configuration;

[Collection(ProcessEnvironmentCollection.Name)]
public sealed class EnvironmentVariableTests
{
    [Fact]
    public void ORLEANSRPC_double_underscore_variables_map_to_the_OrleansRpc_section()
    {
        // The default environment provider (no prefix) turns "__" into ":" and keys are case-insensitive,
        // so ORLEANSRPC__GATEWAY__PORT is OrleansRpc:Gateway:Port.
        using var port = new EnvironmentVariable("ORLEANSRPC__GATEWAY__PORT", "9321");
        using var cluster = new EnvironmentVariable("ORLEANSRPC__CLUSTER__CLUSTERID", "green");
        using var drain = new EnvironmentVariable("ORLEANSRPC__GATEWAY__DRAINTIMEOUT", "00:00:33");
        IConfiguration configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var services = new ServiceCollection();
        services.AddOrleansRpc(configuration);
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Equal(9321, provider.GetRequiredService<IOptions<RapGatewayOptions>>().Value.Port);
        Assert.Equal(TimeSpan.FromSeconds(33), provider.GetRequiredService<IOptions<RapGatewayOptions>>().Value.DrainTimeout);
        Assert.Equal("green", provider.GetRequiredService<IOptions<ClusterOptions>>().Value.ClusterId);
    }

    [Fact]
    public void The_silo_name_defaults_to_POD_NAME()
    {
        using var pod = new EnvironmentVariable("POD_NAME", "orleansrpc-5d8f7-abcde");
        var services = new ServiceCollection();
        services.AddOrleansRpc(new ConfigurationBuilder().Build());
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Equal("orleansrpc-5d8f7-abcde", provider.GetRequiredService<IOptions<ClusterOptions>>().Value.SiloName);
    }
}
