using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OrleansRpc.Host;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Hosting.Tests.CommandLine;

/// <summary>The <c>orleansrpc</c> command, run in process through its real entry point.</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class CommandLineTests
{
    [Fact]
    public async Task Help_exits_0_and_lists_serve()
    {
        (int code, string output, _) = await RunAsync("--help");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("serve", output, StringComparison.Ordinal);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_help_exits_0_and_lists_every_option()
    {
        (int code, string output, _) = await RunAsync("serve", "--help");

        Assert.Equal(ExitCodes.Success, code);
        foreach (string option in new[] { "--config", "--functions", "--host", "--port", "--health-port", "--set" })
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Version_exits_0()
    {
        (int code, string output, _) = await RunAsync("--version");

        Assert.Equal(ExitCodes.Success, code);
        Assert.False(string.IsNullOrWhiteSpace(output));
    }

    [Theory]
    [InlineData("serve", "--bogus")]
    [InlineData("bogus")]
    [InlineData]
    [InlineData("serve", "--port", "not-a-number")]
    [InlineData("serve", "--set", "no-equals-sign")]
    public async Task Bad_usage_exits_2(params string[] args)
    {
        (int code, _, string error) = await RunAsync(args);

        Assert.Equal(ExitCodes.UsageOrConfiguration, code);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public async Task An_invalid_port_exits_2_naming_the_configuration_key()
    {
        (int code, _, string error) = await RunAsync("serve", "--port", "70000", "--health-port", "0");

        Assert.Equal(ExitCodes.UsageOrConfiguration, code);
        Assert.Contains("OrleansRpc:Gateway:Port", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_bad_section_is_reported_at_once()
    {
        (int code, _, string error) = await RunAsync(
            "serve", "--port", "0", "--health-port", "0",
            "--set", "OrleansRpc:Gateway:MaxInFlightCallsPerConnection=0",
            "--set", "OrleansRpc:Grains:Messaging:ResponseTimeout=00:00:00",
            "--set", "OrleansRpc:Cluster:ClusterId=not valid");

        Assert.Equal(ExitCodes.UsageOrConfiguration, code);
        Assert.Contains("OrleansRpc:Gateway:MaxInFlightCallsPerConnection", error, StringComparison.Ordinal);
        Assert.Contains("OrleansRpc:Grains:Messaging:ResponseTimeout", error, StringComparison.Ordinal);
        Assert.Contains("OrleansRpc:Cluster:ClusterId", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_environment_variable_is_bound_and_validated()
    {
        using var health = new EnvironmentVariable("ORLEANSRPC__HEALTH__PORT", "70000");

        (int code, _, string error) = await RunAsync("serve", "--port", "0");

        Assert.Equal(ExitCodes.UsageOrConfiguration, code);
        Assert.Contains("OrleansRpc:Health:Port must be between 0 and 65535 (was 70000)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_that_does_not_convert_exits_2_naming_the_key()
    {
        (int code, _, string error) = await RunAsync("serve", "--health-port", "0", "--set", "OrleansRpc:Gateway:DrainTimeout=soon");

        Assert.Equal(ExitCodes.UsageOrConfiguration, code);
        Assert.Contains("OrleansRpc:Gateway:DrainTimeout", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_or_broken_config_file_exits_2()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"orleansrpc-missing-{Guid.NewGuid():N}.json");
        (int code, _, string error) = await RunAsync("serve", "--config", missing);
        Assert.Equal(ExitCodes.UsageOrConfiguration, code);
        Assert.Contains("--config", error, StringComparison.Ordinal);

        string broken = Path.Combine(Path.GetTempPath(), $"orleansrpc-broken-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(broken, "{ \"OrleansRpc\": { ");
        try
        {
            (code, _, _) = await RunAsync("serve", "--config", broken);
            Assert.Equal(ExitCodes.UsageOrConfiguration, code);
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Fact]
    public async Task A_missing_function_assembly_exits_2()
    {
        (int code, _, string error) = await RunAsync("serve", "--functions", "does-not-exist.dll", "--port", "0", "--health-port", "0");

        Assert.Equal(ExitCodes.UsageOrConfiguration, code);
        Assert.Contains("does-not-exist.dll", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_function_group_needing_an_unregistered_service_fails_to_start_with_one_line_exit_1()
    {
        // The conformance sample's groups take services its AddConformanceService() registers; --functions alone does not.
        string assembly = typeof(ConformanceService.DefaultFunctions).Assembly.Location;
        (int code, _, string error) = await RunAsync("serve", "--functions", assembly, "--port", "0", "--health-port", "0", "--set", "Logging:LogLevel:Default=None");

        Assert.Equal(ExitCodes.RuntimeFailure, code);
        Assert.Contains("failed to start", error, StringComparison.Ordinal);
        Assert.Contains("ConformanceService.ChannelStats", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_is_a_runtime_failure_exit_1()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        int port = ((IPEndPoint)blocker.LocalEndpoint).Port;

        (int code, _, string error) = await RunAsync("serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--health-port", "0", "--set", "Logging:LogLevel:Default=None");

        Assert.Equal(ExitCodes.RuntimeFailure, code);
        Assert.Contains("failed to start", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_runs_the_silo_with_a_config_file_and_function_assembly_until_cancelled_then_exits_0()
    {
        string config = Path.Combine(Path.GetTempPath(), $"orleansrpc-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, """{ "OrleansRpc": { "Cluster": { "ServiceId": "from-config-file", "ClusterId": "cli-test" } }, "Logging": { "LogLevel": { "Default": "Warning" } } }""");
        string quickstart = typeof(Quickstart.QuickstartFunctions).Assembly.Location;
        using var stop = new CancellationTokenSource();
        try
        {
            // Port 0 for both listeners, found on the host the command builds: a port probed free here could be
            // taken by another process (test projects run in parallel) before serve binds it.
            using var capture = HostCapture.Begin();
            Task<(int, string, string)> run = RunAsync(stop.Token,
                "serve", "--config", config, "--functions", quickstart, "--host", "127.0.0.1", "--port", "0", "--health-port", "0");
            IHost host = await WhenStartedAsync(capture, run);

            using HttpClient client = HealthApp.Client(host.Services);
            await WaitUntilReadyAsync(client, run);
            Assert.Equal(HttpStatusCode.OK, (await client.GetTextAsync("/healthz/live")).Status);
            string metrics = (await client.GetTextAsync("/metrics")).Body;
            Assert.Contains("service_id=\"from-config-file\"", metrics, StringComparison.Ordinal);
            Assert.Contains("cluster_id=\"cli-test\"", metrics, StringComparison.Ordinal);

            // The shipped executable serves rap calls to the loaded functions.
            MessagePackValue sum = await RapProbe.CallAsync(host.Services.GetRequiredService<OrleansRpc.Gateway.RapGatewayEndpoint>().EndPoint!, "/default/sync_sum", ("a", 40), ("b", 2));
            Assert.Equal(42, sum.AsInt64());

            stop.Cancel();
            (int code, _, string error) = await run.WaitAsync(HealthApp.Patience);
            Assert.True(code == ExitCodes.Success, error);
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task The_kubernetes_config_map_switches_the_console_to_json_logs()
    {
        var settings = new ServeSettings(new FileInfo(Path.Combine(RepositoryPaths.Kubernetes, "base", "appsettings.json")), [], null, 0, 0, []);
        await using Microsoft.AspNetCore.Builder.WebApplication app = ServeCommand.Build(settings);

        var console = app.Services.GetRequiredService<IOptions<ConsoleLoggerOptions>>().Value;
        Assert.Equal("json", console.FormatterName);
        Assert.Equal(20, app.Services.GetRequiredService<IOptions<OrleansRpc.Gateway.RapGatewayOptions>>().Value.DrainTimeout.TotalSeconds);
    }

    private static async Task<IHost> WhenStartedAsync(HostCapture capture, Task running)
    {
        Task<IHost> built = capture.Host;
        Assert.Same(built, await Task.WhenAny(built, running).WaitAsync(HealthApp.Patience)); // serve ended before building a host
        IHost host = await built;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() => started.TrySetResult()))
        {
            Assert.Same(started.Task, await Task.WhenAny(started.Task, running).WaitAsync(HealthApp.Patience)); // serve ended before it started
        }

        return host;
    }

    private static async Task WaitUntilReadyAsync(HttpClient client, Task running)
    {
        using var patience = new CancellationTokenSource(HealthApp.Patience);
        while (true)
        {
            Assert.False(running.IsCompleted, "serve ended before it became ready");
            try
            {
                if ((await client.GetTextAsync("/healthz/ready")).Status == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(50, patience.Token);
        }
    }

    private static Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    private static async Task<(int Code, string Output, string Error)> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await OrleansRpcCommandLine.InvokeAsync(args, output, error, cancellationToken);
        return (code, output.ToString(), error.ToString());
    }
}
