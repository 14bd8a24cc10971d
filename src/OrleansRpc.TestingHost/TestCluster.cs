using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.TestingHost;
using OrleansRpc.Gateway;

namespace OrleansRpc.TestingHost;

/// <summary>
/// An Orleans <see cref="Orleans.TestingHost.TestCluster"/> (1..N silos in this process, talking to each other over
/// TCP) with a rap gateway on an ephemeral 127.0.0.1 port in each silo's host, for tests: start it with
/// <see cref="StartAsync"/>, connect to <see cref="EndPoint"/> (the first silo's gateway) or any of
/// <see cref="EndPoints"/>, dispose it to stop. Functions, options and services come from the
/// <see cref="TestClusterBuilder"/>; every silo gets the same.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    /// <summary>The configuration key that tells a silo which builder configures it.</summary>
    internal const string BuilderKey = "OrleansRpcTestClusterBuilder";

    private static readonly ConcurrentDictionary<string, TestClusterBuilder> s_builders = new();
    private readonly string _builderId;
    private bool _stopped;

    private TestCluster(Orleans.TestingHost.TestCluster cluster, string builderId)
    {
        Cluster = cluster;
        _builderId = builderId;
    }

    /// <summary>The Orleans test cluster underneath (silo handles, <c>StopSiloAsync</c>, <c>KillSiloAsync</c>, …).</summary>
    public Orleans.TestingHost.TestCluster Cluster { get; }

    /// <summary>The silos that are running, in start order.</summary>
    public IReadOnlyList<InProcessSiloHandle> Silos => [.. Cluster.GetActiveSilos().Cast<InProcessSiloHandle>()];

    /// <summary>The first silo's host.</summary>
    public IHost Host => Silos[0].SiloHost;

    /// <summary>The first silo's services.</summary>
    public IServiceProvider Services => Host.Services;

    /// <summary>Where the first silo's gateway listens.</summary>
    public IPEndPoint EndPoint => EndPointOf(Silos[0]);

    /// <summary>Where each running silo's gateway listens, in <see cref="Silos"/> order.</summary>
    public IReadOnlyList<IPEndPoint> EndPoints => [.. Silos.Select(EndPointOf)];

    /// <summary>Builds and starts a cluster (one silo unless <see cref="TestClusterBuilder.Silos"/> says otherwise).</summary>
    public static async Task<TestCluster> StartAsync(Action<TestClusterBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        var builder = new TestClusterBuilder();
        configure?.Invoke(builder);
        string id = Guid.NewGuid().ToString("N");
        s_builders[id] = builder;

        var orleans = new Orleans.TestingHost.TestClusterBuilder((short)builder.Silos);
        orleans.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        orleans.Options.ConfigureFileLogging = false;
        orleans.Options.InitializeClientOnDeploy = builder.Silos > 1;
        orleans.Properties[BuilderKey] = id;
        orleans.AddSiloBuilderConfigurator<RapSiloConfigurator>();
        Orleans.TestingHost.TestCluster cluster = orleans.Build();
        try
        {
            await cluster.DeployAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            s_builders.TryRemove(id, out _);
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new TestCluster(cluster, id);
    }

    /// <summary>The builder of the cluster a silo belongs to.</summary>
    internal static TestClusterBuilder BuilderFor(string? id)
        => id is not null && s_builders.TryGetValue(id, out TestClusterBuilder? builder)
            ? builder
            : throw new InvalidOperationException("This silo was not started by OrleansRpc.TestingHost.TestCluster.");

    /// <summary>Where a silo's gateway listens.</summary>
    public static IPEndPoint EndPointOf(InProcessSiloHandle silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return silo.SiloHost.Services.GetRequiredService<RapGatewayEndpoint>().EndPoint
            ?? throw new InvalidOperationException("The gateway did not report its endpoint.");
    }

    /// <summary>Starts one more silo (with its gateway) and waits until the cluster sees it.</summary>
    public async Task<InProcessSiloHandle> StartAdditionalSiloAsync()
    {
        var silo = (InProcessSiloHandle)await Cluster.StartAdditionalSiloAsync().ConfigureAwait(false);
        await Cluster.WaitForLivenessToStabilizeAsync().ConfigureAwait(false);
        return silo;
    }

    /// <summary>Stops every silo: their gateways drain their connections.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await Cluster.StopAllSilosAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            await Cluster.DisposeAsync().ConfigureAwait(false);
            s_builders.TryRemove(_builderId, out _);
        }
    }
}
