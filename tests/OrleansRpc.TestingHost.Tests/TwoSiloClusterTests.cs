using OrleansRpc.Client;
using OrleansRpc.MessagePack;
using OrleansRpc.Server;

namespace OrleansRpc.TestingHost.Tests;

/// <summary>
/// Two Orleans silos (TCP between them), a rap gateway on each, and the C# rap client over real sockets: calls spread
/// over both silos, and sessions, generators and channels whose grain lives on the other silo than the client's
/// gateway work through it (state kept, items and messages in order).
/// </summary>
public sealed class TwoSiloClusterTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.StartAsync(b =>
    {
        b.Silos = 2;
        b.AddFunctions(f => f.AddFunctionGroup<ClusterFunctions>());
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Each_silo_runs_a_gateway_and_unary_calls_run_on_the_gateways_own_silo()
    {
        Assert.Equal(2, _cluster.EndPoints.Count);
        var silos = new HashSet<string>();
        foreach (var endPoint in _cluster.EndPoints)
        {
            await using RapClient client = await ConnectAsync(endPoint);
            silos.Add(await client.InvokeAsync<string>("cluster", "silo"));
        }

        // Function groups are stateless workers: activated on the silo that calls them, so each gateway's silo.
        Assert.Equal(2, silos.Count);
    }

    [Fact]
    public async Task A_session_grain_on_the_other_silo_keeps_its_state_across_calls()
    {
        (RapClient client, string gatewaySilo, string sessionSilo) = await ConnectWithRemoteSessionAsync();
        await using (client)
        {
            Assert.NotEqual(gatewaySilo, sessionSilo);
            Assert.Equal(sessionSilo + "|kept", await client.InvokeAsync<string>("cluster", "remember", ("put", "kept")));
            Assert.Equal(sessionSilo + "|kept", await client.InvokeAsync<string>("cluster", "remember"));
        }
    }

    [Fact]
    public async Task A_generator_whose_grain_is_on_the_other_silo_streams_every_item_in_order()
    {
        (RapClient client, string gatewaySilo, string sessionSilo) = await ConnectWithRemoteSessionAsync();
        await using (client)
        {
            var items = new List<string>();
            await foreach (string item in client.StreamAsync<string>("cluster", "count", RapArgs.Of(("n", 1000L))))
            {
                items.Add(item);
            }

            Assert.Equal(1001, items.Count);
            Assert.Equal(sessionSilo, items[0]);
            Assert.NotEqual(gatewaySilo, items[0]);
            Assert.Equal(Enumerable.Range(0, 1000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), items.Skip(1));
        }
    }

    [Fact]
    public async Task A_channel_whose_grain_is_on_the_other_silo_keeps_message_order()
    {
        (RapClient client, string gatewaySilo, string sessionSilo) = await ConnectWithRemoteSessionAsync();
        await using (client)
        {
            await using OrleansRpc.Client.RapChannel channel = await client.OpenChannelAsync("cluster", "echo");
            string hostSilo = await channel.ReadAsync<string>();
            Assert.Equal(sessionSilo, hostSilo);
            Assert.NotEqual(gatewaySilo, hostSilo);

            const int count = 300;
            Task writes = Task.Run(async () =>
            {
                for (int i = 0; i < count; i++)
                {
                    await channel.WriteAsync(i);
                }
            });
            for (int i = 0; i < count; i++)
            {
                Assert.Equal(i, await channel.ReadAsync<int>());
            }

            await writes;
        }
    }

    [Fact]
    public async Task A_HEAD_session_grain_goes_when_its_connection_closes()
    {
        var management = _cluster.Cluster.Client.GetGrain<Orleans.Runtime.IManagementGrain>(0);
        RapClient client = await ConnectAsync(_cluster.EndPoint);
        Assert.EndsWith("|kept", await client.InvokeAsync<string>("cluster", "remember", ("put", "kept")));
        Assert.Equal(1, await SessionActivationsAsync(management));

        await client.DisposeAsync();

        // Without the gateway's word the grain would stay for SessionIdleTimeout (10 minutes).
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await SessionActivationsAsync(management) != 0)
        {
            await Task.Delay(100, deadline.Token);
        }
    }

    private static async Task<int> SessionActivationsAsync(Orleans.Runtime.IManagementGrain management)
        => (await management.GetSimpleGrainStatistics())
            .Where(s => s.GrainType.Contains(nameof(SessionGrain), StringComparison.Ordinal))
            .Sum(s => s.ActivationCount);

    private static async Task<RapClient> ConnectAsync(System.Net.IPEndPoint endPoint)
    {
        // One connection: a HEAD session is its connection.
        RapClient client = RapClient.Create($"{endPoint.Address}:{endPoint.Port}", o => o.MaxConnectionsPerEndpoint = 1);
        await client.StartAsync();
        return client;
    }

    /// <summary>
    /// A HEAD connection's session key is its connection id, and Orleans places a new session grain on either silo:
    /// connects to the first silo's gateway until the session grain is on the other silo.
    /// </summary>
    private async Task<(RapClient Client, string GatewaySilo, string SessionSilo)> ConnectWithRemoteSessionAsync()
    {
        for (int attempt = 0; attempt < 40; attempt++)
        {
            RapClient client = await ConnectAsync(_cluster.EndPoint);
            string gatewaySilo = await client.InvokeAsync<string>("cluster", "silo");
            string sessionSilo = (await client.InvokeAsync<string>("cluster", "remember")).Split('|')[0];
            if (sessionSilo != gatewaySilo)
            {
                return (client, gatewaySilo, sessionSilo);
            }

            await client.DisposeAsync();
        }

        throw new InvalidOperationException("no session grain was placed on the other silo in 40 connections");
    }
}
