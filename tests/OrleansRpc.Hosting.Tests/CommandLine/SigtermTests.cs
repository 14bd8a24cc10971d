using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Hosting.Tests.CommandLine;

/// <summary><c>orleansrpc serve</c> as a real child process, stopped the way Kubernetes stops it: SIGTERM.</summary>
public sealed partial class SigtermTests
{
    [Fact]
    public async Task Sigterm_turns_readiness_false_lets_the_in_flight_call_finish_and_exits_0()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return; // SIGTERM is what container runtimes send; Windows has no equivalent to test here
        }

        // Port 0 for both listeners, read back from the log: a port probed free here could be taken by another
        // process (test projects run in parallel) before the child binds it.
        var output = new StringBuilder();
        var gatewayPort = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var healthPort = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "OrleansRpc.Host.dll"), "serve",
            "--host", "127.0.0.1", "--port", "0", "--health-port", "0",
            "--set", "OrleansRpc:Health:ShutdownDelay=00:00:01",
            "--set", "Logging:LogLevel:Default=Information",
        })
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data is { } line)
            {
                ReadPort(GatewayListening(), line, gatewayPort);
                ReadPort(HealthListening(), line, healthPort);
            }
        };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            Task exited = process.WaitForExitAsync();
            Task bound = Task.WhenAll(gatewayPort.Task, healthPort.Task);
            if (await Task.WhenAny(bound, exited).WaitAsync(HealthApp.Patience) != bound)
            {
                lock (output)
                {
                    Assert.Fail("orleansrpc serve exited before listening:\n" + output);
                }
            }

            using var health = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{await healthPort.Task}"), Timeout = HealthApp.Patience };
            await PollAsync(health, HttpStatusCode.OK, process);

            // async_sum sleeps 1 s: it is running in the function when the signal arrives.
            Task<MessagePackValue> call = await StartInFlightCallAsync(health, new IPEndPoint(IPAddress.Loopback, await gatewayPort.Task), process);
            using (Process kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await PollAsync(health, HttpStatusCode.ServiceUnavailable, process);
            Assert.Equal(3, (await call.WaitAsync(HealthApp.Patience)).AsInt64());

            await process.WaitForExitAsync().WaitAsync(HealthApp.Patience);
            string log;
            lock (output)
            {
                log = output.ToString();
            }

            Assert.True(process.ExitCode == 0, log);
            int notReady = log.IndexOf("readiness is now false", StringComparison.Ordinal);
            int draining = log.IndexOf("rap gateway draining", StringComparison.Ordinal);
            Assert.True(notReady >= 0 && draining > notReady, log);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>
    /// Starts an async_sum call and returns once the server's in-flight gauge shows it running. A request merely
    /// written to the socket is not enough: on a loaded machine the child may not have read it when the drain
    /// begins, and a drained connection with no call in flight is closed. A call that ends before a scrape saw
    /// it is replaced by another.
    /// </summary>
    private static async Task<Task<MessagePackValue>> StartInFlightCallAsync(HttpClient health, IPEndPoint gateway, Process process)
    {
        using var patience = new CancellationTokenSource(HealthApp.Patience);
        while (true)
        {
            Task<MessagePackValue> call = RapProbe.CallAsync(gateway, "/default/async_sum", ("a", 1), ("b", 2));
            while (!call.IsCompleted)
            {
                Assert.False(process.HasExited, "orleansrpc serve exited early");
                string metrics = (await health.GetTextAsync("/metrics")).Body;
                if (metrics.Split('\n').Any(line => line.StartsWith("orleansrpc_calls_in_flight{", StringComparison.Ordinal)
                    && line.Contains("rap_function=\"async_sum\"", StringComparison.Ordinal) && line.EndsWith(" 1", StringComparison.Ordinal)))
                {
                    return call;
                }

                await Task.Delay(25, patience.Token);
            }

            Assert.Equal(3, (await call).AsInt64());
        }
    }

    private static async Task PollAsync(HttpClient client, HttpStatusCode wanted, Process process)
    {
        using var patience = new CancellationTokenSource(HealthApp.Patience);
        while (true)
        {
            Assert.False(process.HasExited, "orleansrpc serve exited early");
            try
            {
                if ((await client.GetTextAsync("/healthz/ready")).Status == wanted)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(25, patience.Token);
        }
    }

    private static void ReadPort(Regex pattern, string line, TaskCompletionSource<int> port)
    {
        if (pattern.Match(line) is { Success: true } match)
        {
            port.TrySetResult(int.Parse(match.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex(@"rap gateway listening on 127\.0\.0\.1:(\d+) ")]
    private static partial Regex GatewayListening();

    [GeneratedRegex(@"Health endpoint listening on http://127\.0\.0\.1:(\d+) ")]
    private static partial Regex HealthListening();
}
