using ConformanceService;
using OrleansRpc.Host;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Hosting.Tests.CommandLine;

/// <summary>The client subcommands against a gateway that knows one key of rap's AES crypto plug-in.</summary>
public sealed class ClientCommandsCryptoTests : IAsyncLifetime
{
    private const string KeyId = "cli";
    private const string Secret = "0123456789abcdef";
    private TestCluster? _cluster;

    private string Server => _cluster!.EndPoint.ToString();

    public async Task InitializeAsync() =>
        _cluster = await TestCluster.StartAsync(b => b
            .ConfigureGateway(o => o.CryptoKeys[KeyId] = Secret)
            .AddFunctions(f => f.AddConformanceFunctions()));

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Call_with_the_key_prints_the_result()
    {
        (int code, string output, string error) = await RunAsync("call", Server, "default/sum_sync", """{"a": 20, "b": 22}""", "--crypto-key-id", KeyId, "--crypto-secret", Secret);

        Assert.True(code == ExitCodes.Success, error);
        Assert.Equal("42", output.Trim());
    }

    [Fact]
    public async Task An_unknown_key_id_exits_1()
    {
        (int code, string output, string error) = await RunAsync("ping", Server, "--crypto-key-id", "other", "--crypto-secret", Secret);

        Assert.Equal(ExitCodes.RuntimeFailure, code);
        Assert.Equal(string.Empty, output);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public async Task A_secret_that_is_not_16_characters_exits_2()
    {
        (int code, _, string error) = await RunAsync("ping", Server, "--crypto-key-id", KeyId, "--crypto-secret", "short");

        Assert.Equal(ExitCodes.UsageOrConfiguration, code);
        Assert.Contains("--crypto-secret", error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await OrleansRpcCommandLine.InvokeAsync([.. args, "--timeout", "30"], output, error);
        return (code, output.ToString(), error.ToString());
    }
}
