using ConformanceService;
using OrleansRpc.Host;
using OrleansRpc.Testing;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Hosting.Tests.CommandLine;

/// <summary>The client subcommands against a gateway serving TLS with a fresh self-signed certificate for localhost.</summary>
public sealed class ClientCommandsTlsTests : IAsyncLifetime
{
    // Names localhost only (not 127.0.0.1, the address the commands are given): a name check must refuse it.
    private readonly SelfSignedCertificate _certificate = new(includeLoopbackAddress: false);
    private TestCluster? _cluster;

    private string CertificatePath => _certificate.CertificatePath;

    private string Server => _cluster!.EndPoint.ToString();

    public async Task InitializeAsync() =>
        _cluster = await TestCluster.StartAsync(b => b
            .UseTls(_certificate.CertificatePath, _certificate.KeyPath)
            .AddFunctions(f => f.AddConformanceFunctions()));

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        _certificate.Dispose();
    }

    [Fact]
    public async Task Call_over_tls_trusting_the_given_certificate_prints_the_result()
    {
        // The certificate names localhost, the address is 127.0.0.1: the name check is off, as in rap's client.
        (int code, string output, string error) = await RunAsync("call", Server, "default/sum_sync", """{"a": 1, "b": 2}""", "--tls-ca", CertificatePath, "--no-hostname-check");

        Assert.True(code == ExitCodes.Success, error);
        Assert.Equal("3", output.Trim());
    }

    [Fact]
    public async Task Ping_over_tls_exits_0()
    {
        (int code, string output, string error) = await RunAsync("ping", Server, "--tls-ca", CertificatePath, "--no-hostname-check");

        Assert.True(code == ExitCodes.Success, error);
        Assert.StartsWith("pong from", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_for_another_name_exits_1_when_the_name_is_checked()
    {
        (int code, string output, string error) = await RunAsync("ping", Server, "--tls-ca", CertificatePath);

        Assert.Equal(ExitCodes.RuntimeFailure, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains(Server, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_untrusted_certificate_exits_1()
    {
        (int code, _, string error) = await RunAsync("ping", Server, "--tls", "--no-hostname-check");

        Assert.Equal(ExitCodes.RuntimeFailure, code);
        Assert.Contains(Server, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_ca_file_exits_2()
    {
        (int code, _, string error) = await RunAsync("ping", Server, "--tls-ca", Path.Combine(Path.GetDirectoryName(CertificatePath)!, "missing.crt"));

        Assert.Equal(ExitCodes.UsageOrConfiguration, code);
        Assert.Contains("--tls-ca", error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await OrleansRpcCommandLine.InvokeAsync([.. args, "--timeout", "30"], output, error);
        return (code, output.ToString(), error.ToString());
    }
}
