using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansRpc.Gateway;
using OrleansRpc.Middleware.Connections;

namespace OrleansRpc.Hosting.Tests.Configuration;

/// <summary>AddOrleansRpc switches rap's plug-ins on from the OrleansRpc:Middleware sections, and only those present.</summary>
public sealed class MiddlewareConfigurationTests
{
    [Fact]
    public void A_middleware_section_switches_its_feature_on_with_the_bound_values()
    {
        using ServiceProvider provider = Build(new Dictionary<string, string?>
        {
            ["OrleansRpc:Middleware:ConnectionLimit:MaxConnections"] = "7",
        });

        Assert.Contains(provider.GetServices<IRapConnectionMiddleware>(), m => m is RapConnectionLimitMiddleware);
        Assert.Equal(7, provider.GetRequiredService<IOptions<RapConnectionLimitOptions>>().Value.MaxConnections);
    }

    [Fact]
    public void Without_sections_no_connection_middleware_runs()
    {
        using ServiceProvider provider = Build(new Dictionary<string, string?>());

        Assert.Empty(provider.GetServices<IRapConnectionMiddleware>());
    }

    [Fact]
    public void Enabled_false_keeps_a_feature_off()
    {
        using ServiceProvider provider = Build(new Dictionary<string, string?>
        {
            ["OrleansRpc:Middleware:ConnectionLimit:Enabled"] = "false",
            ["OrleansRpc:Middleware:ConnectionLimit:MaxConnections"] = "7",
        });

        Assert.DoesNotContain(provider.GetServices<IRapConnectionMiddleware>(), m => m is RapConnectionLimitMiddleware);
    }

    private static ServiceProvider Build(Dictionary<string, string?> values)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(configuration);
        services.AddOrleansRpc(configuration);
        return services.BuildServiceProvider();
    }
}
