using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ConformanceService;
using OrleansRpc.Host;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Hosting.Tests.CommandLine;

/// <summary>
/// <c>orleansrpc call</c>, <c>list</c> and <c>ping</c>, run in process through the real entry point against the
/// conformance functions served by a <see cref="TestCluster"/> on a loopback port.
/// </summary>
public sealed class ClientCommandsTests : IAsyncLifetime
{
    private TestCluster? _cluster;

    private string Server => _cluster!.EndPoint.ToString();

    public async Task InitializeAsync() =>
        _cluster = await TestCluster.StartAsync(b => b
            .ConfigureServer(o => o.RunTimeout = ConformanceServiceBuilderExtensions.RunTimeout)
            .AddFunctions(f => f.AddConformanceFunctions()));

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Call_prints_the_result_as_json_and_exits_0()
    {
        (int code, string output, string error) = await RunAsync("call", Server, "default/sum_sync", """{"a": 1, "b": 2}""");

        Assert.True(code == ExitCodes.Success, error);
        Assert.Equal(["3"], Lines(output));
    }

    [Fact]
    public async Task Call_accepts_a_leading_slash_and_reaches_other_groups()
    {
        (int code, string output, string error) = await RunAsync("call", Server, "/math/sum_sync", """{"a": 1, "b": 2}""");

        Assert.True(code == ExitCodes.Success, error);
        Assert.Equal(["30"], Lines(output));
    }

    [Fact]
    public async Task Call_round_trips_structured_values_through_echo()
    {
        (int code, string output, string error) = await RunAsync(
            "call", Server, "default/echo", """{"value": {"n": -7, "f": 1.5, "s": "héllo", "l": [true, null, 18446744073709551615]}}""");

        Assert.True(code == ExitCodes.Success, error);
        Assert.Equal(["""{"n":-7,"f":1.5,"s":"héllo","l":[true,null,18446744073709551615]}"""], Lines(output));
    }

    [Fact]
    public async Task Call_binds_omitted_arguments_to_their_defaults()
    {
        (int code, string output, string error) = await RunAsync("call", Server, "default/greet", """{"name": "rap", "punct": "?"}""");

        Assert.True(code == ExitCodes.Success, error);
        Assert.Equal(["\"hello, rap?\""], Lines(output));
    }

    [Fact]
    public async Task A_generator_found_in_the_registry_prints_one_item_per_line()
    {
        (int code, string output, string error) = await RunAsync("call", Server, "default/count_up", """{"n": 4}""");

        Assert.True(code == ExitCodes.Success, error);
        Assert.Equal(["0", "1", "2", "3"], Lines(output));
    }

    [Fact]
    public async Task Stream_flag_streams_without_the_registry()
    {
        (int code, string output, string error) = await RunAsync("call", Server, "default/count_up", """{"n": 3}""", "--stream");

        Assert.True(code == ExitCodes.Success, error);
        Assert.Equal(["0", "1", "2"], Lines(output));
    }

    [Fact]
    public async Task An_unknown_function_exits_1_with_FuncNotFoundError_on_stderr()
    {
        (int code, string output, string error) = await RunAsync("call", Server, "default/no_such_function", "{}");

        Assert.Equal(ExitCodes.RuntimeFailure, code);
        Assert.StartsWith("FuncNotFoundError:", error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output);
    }

    [Fact]
    public async Task A_raising_function_exits_1_with_the_python_exception_name_and_message()
    {
        (int code, _, string error) = await RunAsync("call", Server, "default/raise_error", """{"kind": "ValueError", "message": "bad value 42"}""");

        Assert.Equal(ExitCodes.RuntimeFailure, code);
        Assert.StartsWith("ValueError:", error, StringComparison.Ordinal);
        Assert.Contains("bad value 42", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"a": 1, """)]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    [InlineData("""{"a": 123456789012345678901234567890}""")]
    public async Task Bad_json_exits_2(string json)
    {
        (int code, string output, string error) = await RunAsync("call", Server, "default/sum_sync", json);

        Assert.Equal(ExitCodes.UsageOrConfiguration, code);
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.DoesNotContain("3", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sum_sync")]
    [InlineData("default/")]
    [InlineData("/sum_sync")]
    [InlineData("default/sum/sync")]
    [InlineData("default/sum sync")]
    public async Task A_bad_group_name_exits_2(string target)
    {
        (int code, _, string error) = await RunAsync("call", Server, target, "{}");

        Assert.Equal(ExitCodes.UsageOrConfiguration, code);
        Assert.Contains("group/name", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("call", "localhost")]
    [InlineData("call", "localhost:notaport")]
    [InlineData("list", "127.0.0.1:70000")]
    [InlineData("ping", ":9000")]
    public async Task A_bad_host_port_exits_2(string command, string server)
    {
        string[] args = command == "call" ? [command, server, "default/sum_sync", "{}"] : [command, server];

        (int code, _, string error) = await RunAsync(args);

        Assert.Equal(ExitCodes.UsageOrConfiguration, code);
        Assert.Contains("host:port", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--timeout", "0")]
    [InlineData("--timeout", "-1")]
    [InlineData("--crypto-key-id", "test")]
    public async Task Bad_options_exit_2(string option, string value)
    {
        (int code, _, string error) = await RunAsync("ping", Server, option, value);

        Assert.Equal(ExitCodes.UsageOrConfiguration, code);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public async Task List_prints_every_function_in_a_table()
    {
        (int code, string output, string error) = await RunAsync("list", Server);

        Assert.True(code == ExitCodes.Success, error);
        string[] lines = Lines(output);
        Assert.Equal(["GROUP", "NAME", "TYPE", "PRIVATE", "DOC"], Cells(lines[0]));
        string[][] rows = [.. lines.Skip(1).Select(Cells)];
        Assert.Contains(rows, r => r[0] == "default" && r[1] == "sum_sync" && r[2] == "normal" && r[3] == "no");
        Assert.Contains(rows, r => r[0] == "math" && r[1] == "sum_sync" && r[2] == "normal");
        Assert.Contains(rows, r => r[0] == "default" && r[1] == "count_up" && r[2] == "channel"); // HEAD lists generators as CHANNEL
        Assert.Contains(rows, r => r[0] == "default" && r[1] == "secret_info" && r[3] == "yes");
        Assert.Contains(rows, r => r[0] == "registry" && r[1] == "list" && r[3] == "yes" && r.Length > 4 && string.Join(' ', r[4..]) == "get func info which in registry");

        Assert.All(lines, line => Assert.Equal(line.TrimEnd(), line));

        // Columns line up: every row's NAME cell starts where the header's does.
        int nameColumn = lines[0].IndexOf("NAME", StringComparison.Ordinal);
        Assert.All(lines.Skip(1), line => Assert.True(line.Length > nameColumn && line[nameColumn - 1] == ' ' && line[nameColumn] != ' ', line));
    }

    [Fact]
    public async Task Ping_exits_0_and_prints_the_round_trip_time()
    {
        (int code, string output, string error) = await RunAsync("ping", Server, "--count", "2");

        Assert.True(code == ExitCodes.Success, error);
        string[] lines = Lines(output);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, line =>
        {
            Assert.StartsWith($"pong from {Server}: time=", line, StringComparison.Ordinal);
            Assert.EndsWith(" ms", line, StringComparison.Ordinal);
            string milliseconds = line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..^3];
            Assert.True(double.TryParse(milliseconds, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= 0, line);
        });
    }

    [Theory]
    [InlineData("ping")]
    [InlineData("list")]
    [InlineData("call")]
    public async Task Nothing_listening_exits_1(string command)
    {
        string server = UnusedLoopbackEndPoint().ToString();
        string[] args = command == "call" ? [command, server, "default/sum_sync", "{}"] : [command, server];

        (int code, string output, string error) = await RunAsync([.. args, "--timeout", "30"]);

        Assert.Equal(ExitCodes.RuntimeFailure, code);
        Assert.Contains(server, error, StringComparison.Ordinal);
        Assert.Contains("could not connect", error, StringComparison.OrdinalIgnoreCase); // reported at once, not as a timeout
        Assert.Equal(string.Empty, output);
    }

    [Theory]
    [InlineData("call", "--stream")]
    [InlineData("list", "--tls-ca")]
    [InlineData("ping", "--count")]
    public async Task Help_lists_the_shared_and_own_options(string command, string ownOption)
    {
        (int code, string output, _) = await RunAsync(command, "--help");

        Assert.Equal(ExitCodes.Success, code);
        foreach (string option in new[] { ownOption, "--timeout", "--tls", "--no-hostname-check", "--crypto-key-id", "--crypto-secret", "host:port" })
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
    }

    private static IPEndPoint UnusedLoopbackEndPoint()
    {
        // Bind, read the port, release it: nothing listens there afterwards (a race with another process is possible but harmless for the assertion's intent).
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endPoint = (IPEndPoint)listener.LocalEndpoint;
        listener.Stop();
        return endPoint;
    }

    private static string[] Lines(string output) => output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await OrleansRpcCommandLine.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
