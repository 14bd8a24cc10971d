using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansRpc.Client.Tests.Infrastructure;
using OrleansRpc.Client.Tests.Proxies;

namespace OrleansRpc.Client.Tests.Mechanics;

public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task AddRapClient_registers_a_working_client_and_proxies()
    {
        await using var server = FakeRapServer.Start(FakeFunctions.Standard().HandleAsync);
        var services = new ServiceCollection()
            .AddRapClient(o => o.Endpoints.Add(server.Endpoint))
            .AddRapProxy<ICalculator>();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<RapClient>();
        Assert.Same(client, provider.GetRequiredService<RapClient>());
        Assert.Equal(3, await provider.GetRequiredService<ICalculator>().SumAsync(1, 2));
    }

    [Fact]
    public void Invalid_options_are_reported()
    {
        var services = new ServiceCollection().AddRapClient(o => o.MaxInFlightPerConnection = 0);
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RapClientOptions>>().Value);
        Assert.Contains(error.Failures, f => f.Contains("endpoint", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(error.Failures, f => f.Contains("MaxInFlightPerConnection", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => new RapClient(new RapClientOptions()));
    }
}
