using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansRpc.Gateway;
using Orleans.Configuration;
using OrleansRpc.Server;

namespace OrleansRpc.Hosting.Tests.Configuration;

public sealed class OrleansRpcConfigurationTests
{
    [Fact]
    public void Every_subsection_binds_to_its_options()
    {
        using ServiceProvider services = Build(new()
        {
            ["OrleansRpc:Gateway:Port"] = "9123",
            ["OrleansRpc:Gateway:Host"] = "0.0.0.0",
            ["OrleansRpc:Gateway:DrainTimeout"] = "00:00:42",
            ["OrleansRpc:Server:RunTimeout"] = "00:00:30",
            ["OrleansRpc:Grains:Collection:CollectionAge"] = "01:00:00",
            ["OrleansRpc:Grains:Messaging:ResponseTimeout"] = "00:01:05",
            ["OrleansRpc:Grains:StatelessWorker:MinIdleCyclesBeforeRemoval"] = "3",
            ["OrleansRpc:Cluster:ServiceId"] = "billing",
            ["OrleansRpc:Cluster:ClusterId"] = "blue",
            ["OrleansRpc:Cluster:SiloName"] = "silo-7",
            ["OrleansRpc:Health:Port"] = "8181",
            ["OrleansRpc:Health:ShutdownDelay"] = "00:00:03",
            ["OrleansRpc:Metrics:Meters:0"] = "Mine",
        });

        Assert.Equal(9123, Get<RapGatewayOptions>(services).Port);
        Assert.Equal("0.0.0.0", Get<RapGatewayOptions>(services).Host);
        Assert.Equal(TimeSpan.FromSeconds(42), Get<RapGatewayOptions>(services).DrainTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), Get<RapServerOptions>(services).RunTimeout);
        Assert.Equal(TimeSpan.FromHours(1), Get<GrainCollectionOptions>(services).CollectionAge);
        Assert.Equal(TimeSpan.FromSeconds(65), Get<SiloMessagingOptions>(services).ResponseTimeout);
        Assert.Equal(3, Get<StatelessWorkerOptions>(services).MinIdleCyclesBeforeRemoval);
        Assert.Equal("billing", Get<ClusterOptions>(services).ServiceId);
        Assert.Equal("billing", Get<Orleans.Configuration.ClusterOptions>(services).ServiceId); // the silo's own identity
        Assert.Equal("blue", Get<Orleans.Configuration.ClusterOptions>(services).ClusterId);
        Assert.Equal("blue", Get<ClusterOptions>(services).ClusterId);
        Assert.Equal("silo-7", Get<ClusterOptions>(services).SiloName);
        Assert.Equal(8181, Get<HealthEndpointOptions>(services).Port);
        Assert.Equal(TimeSpan.FromSeconds(3), Get<HealthEndpointOptions>(services).ShutdownDelay);
        Assert.Equal(["Mine"], Get<MetricsOptions>(services).EffectiveMeters);
    }

    [Fact]
    public void Defaults_are_valid_and_the_silo_gets_a_name()
    {
        using ServiceProvider services = Build([]);

        services.GetRequiredService<IStartupValidator>().Validate();
        Assert.False(string.IsNullOrEmpty(Get<ClusterOptions>(services).SiloName));
        Assert.Equal(["OrleansRpc"], Get<MetricsOptions>(services).EffectiveMeters);
    }

    [Fact]
    public void The_host_shutdown_timeout_covers_the_readiness_delay_and_the_drain()
    {
        using ServiceProvider services = Build(new()
        {
            ["OrleansRpc:Gateway:DrainTimeout"] = "00:01:00",
            ["OrleansRpc:Health:ShutdownDelay"] = "00:00:10",
        });

        Assert.True(Get<Microsoft.Extensions.Hosting.HostOptions>(services).ShutdownTimeout >= TimeSpan.FromSeconds(70));
    }

    [Theory]
    [InlineData("OrleansRpc:Gateway:Port", "70000", "OrleansRpc:Gateway:Port must be")]
    [InlineData("OrleansRpc:Gateway:MaxInFlightCallsPerConnection", "0", "OrleansRpc:Gateway:MaxInFlightCallsPerConnection must be at least 1")]
    [InlineData("OrleansRpc:Gateway:DrainTimeout", "-00:00:01", "OrleansRpc:Gateway:DrainTimeout cannot be negative")]
    [InlineData("OrleansRpc:Gateway:TlsCertificatePath", "server.crt", "OrleansRpc:Gateway:TlsCertificatePath and OrleansRpc:Gateway:TlsKeyPath must be given together")]
    [InlineData("OrleansRpc:Server:RunTimeout", "-00:00:01", "OrleansRpc:Server:RunTimeout")]
    [InlineData("OrleansRpc:Server:GeneratorBufferCapacity", "0", "OrleansRpc:Server:GeneratorBufferCapacity")]
    [InlineData("OrleansRpc:Grains:Collection:CollectionAge", "00:00:00", "OrleansRpc:Grains:Collection:CollectionAge must be positive")]
    [InlineData("OrleansRpc:Grains:Messaging:ResponseTimeout", "00:00:00", "OrleansRpc:Grains:Messaging:ResponseTimeout must be positive")]
    [InlineData("OrleansRpc:Grains:Messaging:MaxEnqueuedRequestsHardLimit", "-1", "OrleansRpc:Grains:Messaging:MaxEnqueuedRequestsHardLimit must be")]
    [InlineData("OrleansRpc:Grains:StatelessWorker:MinIdleCyclesBeforeRemoval", "0", "OrleansRpc:Grains:StatelessWorker:MinIdleCyclesBeforeRemoval must be at least 1")]
    [InlineData("OrleansRpc:Health:Port", "65536", "OrleansRpc:Health:Port must be between 0 and 65535 (was 65536)")]
    [InlineData("OrleansRpc:Health:Port", "9000", "OrleansRpc:Health:Port (9000) must differ from OrleansRpc:Gateway:Port")]
    [InlineData("OrleansRpc:Health:ReadyPath", "healthz", "OrleansRpc:Health:ReadyPath must be a URL path starting with '/'")]
    [InlineData("OrleansRpc:Health:ReadyPath", "/healthz/live", "OrleansRpc:Health:LivePath and OrleansRpc:Health:ReadyPath must differ")]
    [InlineData("OrleansRpc:Health:ShutdownDelay", "-00:00:01", "OrleansRpc:Health:ShutdownDelay cannot be negative")]
    [InlineData("OrleansRpc:Metrics:Path", "metrics", "OrleansRpc:Metrics:Path must be a URL path")]
    [InlineData("OrleansRpc:Cluster:ServiceId", "my service", "OrleansRpc:Cluster:ServiceId must be 1 to 63 characters")]
    [InlineData("OrleansRpc:Cluster:ClusterId", "", "OrleansRpc:Cluster:ClusterId must be 1 to 63 characters")]
    public void A_bad_value_fails_start_with_a_message_naming_its_key(string key, string value, string expected)
    {
        using ServiceProvider services = Build(new() { [key] = value });

        string[] failures = Failures(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(failures, f => f.StartsWith(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.Contains("RapGateway:", StringComparison.Ordinal));
    }

    [Fact]
    public void Orleans_response_timeout_is_raised_to_outlast_the_run_timeout()
    {
        // The run timeout is answered in the grain; Orleans' own timeout is only the backstop behind it.
        using ServiceProvider services = Build(new()
        {
            ["OrleansRpc:Server:RunTimeout"] = "00:00:30",
            ["OrleansRpc:Grains:Messaging:ResponseTimeout"] = "00:00:05",
        });

        Assert.Equal(TimeSpan.FromSeconds(35), Get<SiloMessagingOptions>(services).ResponseTimeout);
    }

    [Fact]
    public void Several_bad_sections_are_all_reported()
    {
        using ServiceProvider services = Build(new()
        {
            ["OrleansRpc:Gateway:Port"] = "-1",
            ["OrleansRpc:Grains:Collection:CollectionAge"] = "00:00:00",
            ["OrleansRpc:Health:LivePath"] = "live",
        });

        string[] failures = Failures(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(failures, f => f.StartsWith("OrleansRpc:Gateway:Port", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("OrleansRpc:Grains:Collection:CollectionAge", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("OrleansRpc:Health:LivePath", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_function_assembly_in_configuration_names_its_key()
    {
        var services = new ServiceCollection();
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["OrleansRpc:Functions:Assemblies:0"] = "does-not-exist.dll" })
            .Build();

        var ex = Assert.Throws<OptionsValidationException>(() => services.AddOrleansRpc(configuration));

        Assert.StartsWith("OrleansRpc:Functions:Assemblies:0: cannot load function assembly 'does-not-exist.dll'", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RapGateway:Port must be 0..65535 (was 70000).", "OrleansRpc:Gateway:Port must be 0..65535 (was 70000).")]
    [InlineData("RapGatewayOptions.Port is bad", "OrleansRpc:Gateway:Port is bad")]
    [InlineData("Port must be positive", "OrleansRpc:Gateway:Port must be positive")]
    [InlineData("something odd", "OrleansRpc:Gateway: something odd")]
    public void Component_messages_are_rekeyed_to_the_hosting_tree(string message, string expected)
    {
        var validator = new SectionKeyedValidator<RapGatewayOptions>(OrleansRpcSections.Gateway, ["RapGateway:"], []);

        Assert.Equal(expected, validator.Rekey(message));
    }

    private static ServiceProvider Build(Dictionary<string, string?> values)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddOrleansRpc(configuration);
        return services.BuildServiceProvider();
    }

    private static T Get<T>(IServiceProvider services)
        where T : class => services.GetRequiredService<IOptions<T>>().Value;

    private static string[] Failures(Action validate)
    {
        Exception ex = Assert.ThrowsAny<Exception>(validate);
        return ex switch
        {
            OptionsValidationException one => [.. one.Failures],
            AggregateException many => [.. many.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures)],
            _ => throw new Xunit.Sdk.XunitException($"Unexpected {ex}"),
        };
    }
}
