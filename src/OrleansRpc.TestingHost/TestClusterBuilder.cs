using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;
using OrleansRpc.Gateway;
using OrleansRpc.Server;

namespace OrleansRpc.TestingHost;

/// <summary>Describes a <see cref="TestCluster"/>: silos, gateway options, services (functions, fakes) and logging.</summary>
public sealed class TestClusterBuilder
{
    internal List<Action<RapGatewayOptions>> GatewayConfigurations { get; } = [];

    internal List<Action<IServiceCollection>> ServiceConfigurations { get; } = [];

    internal List<Action<ILoggingBuilder>> LoggingConfigurations { get; } = [];

    internal List<Action<RapServerOptions>> ServerConfigurations { get; } = [];

    internal List<Action<IRapServerBuilder>> FunctionRegistrations { get; } = [];

    internal List<Action<ISiloBuilder>> SiloConfigurations { get; } = [];

    /// <summary>How many silos the cluster starts with (each with its own rap gateway). Default 1.</summary>
    public int Silos { get; set; } = 1;

    /// <summary>True when the cluster adds the rap server itself (functions or server options were given).</summary>
    internal bool AddsServer => ServerConfigurations.Count > 0 || FunctionRegistrations.Count > 0;

    /// <summary>How long the host may take to stop. Default 30 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Changes gateway options; the cluster starts from 127.0.0.1 and port 0 (a free port).</summary>
    public TestClusterBuilder ConfigureGateway(Action<RapGatewayOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        GatewayConfigurations.Add(configure);
        return this;
    }

    /// <summary>Configures each silo (storage, streams, grain call filters, Orleans options).</summary>
    public TestClusterBuilder ConfigureSilo(Action<ISiloBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        SiloConfigurations.Add(configure);
        return this;
    }

    /// <summary>Adds services to each silo's host: registered functions, fakes such as a TimeProvider, lifecycle participants.</summary>
    public TestClusterBuilder ConfigureServices(Action<IServiceCollection> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        ServiceConfigurations.Add(configure);
        return this;
    }

    /// <summary>
    /// Registers functions with the rap server the cluster adds (<c>services.AddRapServer()</c>), e.g.
    /// <c>b.AddFunctions(f =&gt; f.AddFunctionGroup&lt;MyFunctions&gt;())</c>. Do not also call <c>AddRapServer</c> yourself.
    /// </summary>
    public TestClusterBuilder AddFunctions(Action<IRapServerBuilder> register)
    {
        ArgumentNullException.ThrowIfNull(register);
        FunctionRegistrations.Add(register);
        return this;
    }

    /// <summary>Changes the options of the rap server the cluster adds (run timeout, buffers, ...).</summary>
    public TestClusterBuilder ConfigureServer(Action<RapServerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        ServerConfigurations.Add(configure);
        return this;
    }

    /// <summary>Configures logging (none by default).</summary>
    public TestClusterBuilder ConfigureLogging(Action<ILoggingBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        LoggingConfigurations.Add(configure);
        return this;
    }

    /// <summary>Serves TLS with the given PEM certificate and key files.</summary>
    public TestClusterBuilder UseTls(string certificatePath, string keyPath) =>
        ConfigureGateway(o =>
        {
            o.TlsCertificatePath = certificatePath;
            o.TlsKeyPath = keyPath;
        });
}
