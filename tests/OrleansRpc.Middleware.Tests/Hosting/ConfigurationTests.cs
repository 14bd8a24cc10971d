using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansRpc.Gateway;
using Orleans;
using OrleansRpc.Middleware.Connections;
using OrleansRpc.Middleware.Crypto;
using OrleansRpc.Middleware.Diagnostics;
using OrleansRpc.Middleware.IpFiltering;
using OrleansRpc.Middleware.RateLimiting;

namespace OrleansRpc.Middleware.Tests.Hosting;

public sealed class ConfigurationTests
{
    [Fact]
    public void Every_section_binds_and_switches_its_feature_on()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OrleansRpc:Middleware:ConnectionLimit:MaxConnections"] = "5",
            ["OrleansRpc:Middleware:ConnectionLimit:BlockTime"] = "00:00:10",
            ["OrleansRpc:Middleware:IpConnectionLimit:MaxConnectionsPerIp"] = "7",
            ["OrleansRpc:Middleware:IpFilter:BlockList:0"] = "10.0.0.0/8",
            ["OrleansRpc:Middleware:IpFilter:AllowList:0"] = "::1",
            ["OrleansRpc:Middleware:Crypto:Keys:test"] = "0123456789abcdef",
            ["OrleansRpc:Middleware:Crypto:Timeout"] = "00:00:30",
            ["OrleansRpc:Middleware:RateLimit:Rules:0:Function"] = "sum",
            ["OrleansRpc:Middleware:RateLimit:Rules:0:MaxTokens"] = "2",
            ["OrleansRpc:Middleware:RateLimit:Rules:0:PartitionBy"] = "ClientIp",
            ["OrleansRpc:Middleware:Telemetry:AccessLog"] = "false",
            ["OrleansRpc:Middleware:Refusal:ReplyTimeout"] = "00:00:01",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddRapMiddleware(configuration);
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Equal(5, provider.GetRequiredService<IOptions<RapConnectionLimitOptions>>().Value.MaxConnections);
        Assert.Equal(TimeSpan.FromSeconds(10), provider.GetRequiredService<RapConnectionLimiter>().BlockTime);
        Assert.Equal(7, provider.GetRequiredService<RapIpConnectionLimiter>().MaxConnectionsPerIp);
        Assert.Equal(["10.0.0.0/8"], provider.GetRequiredService<RapIpFilter>().BlockList);
        Assert.Equal(["::1"], provider.GetRequiredService<RapIpFilter>().AllowList);
        RapCryptoSettings crypto = provider.GetRequiredService<RapCryptoSettings>();
        Assert.Equal("0123456789abcdef", crypto.Keys["test"]);
        Assert.Equal(TimeSpan.FromSeconds(30), crypto.MaxAge);
        Assert.Same(crypto, provider.GetRequiredService<IRapCryptoSettings>());
        RapRateLimitRule rule = Assert.Single(provider.GetRequiredService<IOptions<RapRateLimitOptions>>().Value.Rules);
        Assert.Equal(("sum", 2, RapRateLimitPartition.ClientIp), (rule.Function, rule.MaxTokens, rule.PartitionBy));
        Assert.False(provider.GetRequiredService<IOptions<RapTelemetryOptions>>().Value.AccessLog);
        Assert.Equal(TimeSpan.FromSeconds(1), provider.GetRequiredService<IOptions<RapRefusalOptions>>().Value.ReplyTimeout);

        // Connection middlewares in rap's order (filter, per-IP, global) plus the metrics one after TLS.
        Assert.Equal(
            [typeof(RapIpFilterMiddleware), typeof(RapIpConnectionLimitMiddleware), typeof(RapConnectionLimitMiddleware), typeof(RapConnectionMetricsMiddleware)],
            provider.GetServices<IRapConnectionMiddleware>().Select(m => m.GetType()));
        Assert.Single(provider.GetServices<IIncomingGrainCallFilter>().OfType<RapCallFilter>());
    }

    [Fact]
    public void Absent_or_disabled_sections_add_nothing()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OrleansRpc:Middleware:ConnectionLimit:Enabled"] = "false",
            ["OrleansRpc:Middleware:ConnectionLimit:MaxConnections"] = "5",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddRapMiddleware(configuration);
        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.Empty(provider.GetServices<IRapConnectionMiddleware>());
        Assert.Null(provider.GetService<IRapCryptoSettings>());
    }

    [Theory]
    [InlineData("OrleansRpc:Middleware:Crypto:Keys:short", "tooshort", "OrleansRpc:Middleware:Crypto:Keys:short must be exactly 16 characters")]
    [InlineData("OrleansRpc:Middleware:IpFilter:BlockList:0", "10.0.0.0/40", "OrleansRpc:Middleware:IpFilter")]
    [InlineData("OrleansRpc:Middleware:RateLimit:Rules:0:MaxTokens", "0", "OrleansRpc:Middleware:RateLimit:Rules")]
    [InlineData("OrleansRpc:Middleware:ConnectionLimit:MaxConnections", "-1", "OrleansRpc:Middleware:ConnectionLimit:MaxConnections")]
    public async Task Invalid_settings_fail_the_start_naming_the_key(string key, string value, string expected)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        using IHost host = new HostBuilder().ConfigureServices(services => services.AddRapMiddleware(configuration)).Build();
        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
