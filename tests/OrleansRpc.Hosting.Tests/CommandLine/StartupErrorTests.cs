using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansRpc.Host;

namespace OrleansRpc.Hosting.Tests.CommandLine;

/// <summary>
/// Start-up errors of <c>orleansrpc serve</c> are one line each, naming the listener, key or file: a port in use or
/// an address that is not this machine's (exit 1, the rap port never called http://), a TLS file that is not PEM or
/// is a directory (exit 2), and an option error printed once.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class StartupErrorTests
{
    [Fact]
    public async Task A_gateway_port_in_use_is_one_line_naming_the_rap_gateway_exit_1()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        string port = ((IPEndPoint)blocker.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);

        (int code, string error) = await RunAsync("serve", "--port", port, "--health-port", "0");

        Assert.Equal(ExitCodes.RuntimeFailure, code);
        Assert.Equal($"orleansrpc serve: failed to start: the rap gateway cannot listen on 127.0.0.1:{port} (OrleansRpc:Gateway:Host/Port): the port is already in use.", Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task A_health_port_in_use_names_the_health_endpoint()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        string port = ((IPEndPoint)blocker.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);

        (int code, string error) = await RunAsync("serve", "--port", "0", "--health-port", port);

        Assert.Equal(ExitCodes.RuntimeFailure, code);
        string line = Assert.Single(Lines(error));
        Assert.Contains($"the health and metrics endpoint cannot listen on 127.0.0.1:{port} (OrleansRpc:Health:Host/Port)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_of_another_machine_is_one_line_naming_it_exit_1()
    {
        // 192.0.2.0/24 is TEST-NET-1: never an address of this machine.
        (int code, string error) = await RunAsync("serve", "--host", "192.0.2.7", "--port", "9", "--health-port", "0");

        Assert.Equal(ExitCodes.RuntimeFailure, code);
        Assert.Equal("orleansrpc serve: failed to start: the rap gateway cannot listen on 192.0.2.7:9 (OrleansRpc:Gateway:Host/Port): the address is not one of this machine's.", Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task A_tls_file_that_is_not_pem_is_named_exit_2()
    {
        string notPem = Path.Combine(Path.GetTempPath(), $"orleansrpc-{Guid.NewGuid():N}.crt");
        await File.WriteAllTextAsync(notPem, "not a certificate");
        try
        {
            (int code, string error) = await RunAsync("serve", "--port", "0", "--health-port", "0",
                "--set", $"OrleansRpc:Gateway:TlsCertificatePath={notPem}", "--set", $"OrleansRpc:Gateway:TlsKeyPath={notPem}");

            Assert.Equal(ExitCodes.UsageOrConfiguration, code);
            string line = Assert.Single(Lines(error));
            Assert.StartsWith($"orleansrpc serve: configuration error: OrleansRpc:Gateway:TlsCertificatePath '{notPem}' and OrleansRpc:Gateway:TlsKeyPath '{notPem}' are not a PEM certificate", line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(notPem);
        }
    }

    [Fact]
    public async Task A_directory_given_as_a_tls_file_is_called_a_directory_exit_2()
    {
        string directory = Path.GetTempPath().TrimEnd(Path.DirectorySeparatorChar);
        string notPem = Path.Combine(Path.GetTempPath(), $"orleansrpc-{Guid.NewGuid():N}.key");
        await File.WriteAllTextAsync(notPem, "x");
        try
        {
            (int code, string error) = await RunAsync("serve", "--port", "0", "--health-port", "0",
                "--set", $"OrleansRpc:Gateway:TlsCertificatePath={directory}", "--set", $"OrleansRpc:Gateway:TlsKeyPath={notPem}");

            Assert.Equal(ExitCodes.UsageOrConfiguration, code);
            Assert.Equal($"orleansrpc serve: configuration error: OrleansRpc:Gateway:TlsCertificatePath: '{directory}' is a directory, not a PEM file.", Assert.Single(Lines(error)));
            Assert.DoesNotContain("does not exist", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(notPem);
        }
    }

    [Fact]
    public async Task Each_option_error_is_printed_once()
    {
        (int code, string error) = await RunAsync("serve", "--port", "70000", "--health-port", "0",
            "--set", "OrleansRpc:Gateway:PingInterval=-00:00:01", "--set", "OrleansRpc:Health:Port=99999");

        Assert.Equal(ExitCodes.UsageOrConfiguration, code);
        string[] lines = Lines(error);
        Assert.Equal(lines.Length, lines.Distinct(StringComparer.Ordinal).Count());
        Assert.Single(lines, l => l.Contains("OrleansRpc:Gateway:Port", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("OrleansRpc:Gateway:PingInterval", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("OrleansRpc:Health:Port", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bind_failure_kestrel_reports_is_described_by_listener_without_http()
    {
        // The probe passed and another process took the port before Kestrel bound it: Kestrel's exception.
        var kestrel = new IOException(
            "Failed to bind to address http://127.0.0.1:9000: address already in use.",
            new SocketException((int)SocketError.AddressAlreadyInUse));
        ListenerCheck.Listener[] listeners =
        [
            new("the rap gateway", "OrleansRpc:Gateway:Host/Port", "127.0.0.1", 9000),
            new("the health and metrics endpoint", "OrleansRpc:Health:Host/Port", "127.0.0.1", 8080),
        ];

        Assert.Equal("the rap gateway cannot listen on 127.0.0.1:9000 (OrleansRpc:Gateway:Host/Port): the port is already in use.", ListenerCheck.DescribeStartFailure(kestrel, listeners));
        Assert.Null(ListenerCheck.DescribeStartFailure(new InvalidOperationException("something else"), listeners));
    }

    [Fact]
    public async Task The_hosts_own_start_failure_stack_trace_is_not_logged()
    {
        await using Microsoft.AspNetCore.Builder.WebApplication app = ServeCommand.Build(new ServeSettings(null, [], null, 0, 0, []));
        LoggerFilterOptions filters = app.Services.GetRequiredService<IOptions<LoggerFilterOptions>>().Value;
        LoggerFilterRule rule = filters.Rules.Last(r => r.CategoryName == ServeCommand.HostLogCategory);
        Assert.Equal(LogLevel.Critical, rule.LogLevel);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static async Task<(int Code, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await OrleansRpcCommandLine.InvokeAsync([.. args, "--set", "Logging:LogLevel:Default=None"], output, error, CancellationToken.None);
        return (code, error.ToString());
    }
}
