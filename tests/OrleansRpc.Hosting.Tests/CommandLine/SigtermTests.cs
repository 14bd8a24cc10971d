using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Hosting.Tests.CommandLine;

/// <summary><c>orleansrpc serve</c> as a real child process, stopped the way Kubernetes stops it: SIGTERM.</summary>
public sealed class SigtermTests
{
    [Fact]
    public async Task Sigterm_turns_readiness_false_lets_the_in_flight_call_finish_and_exits_0()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return; // SIGTERM is what container runtimes send; Windows has no equivalent to test here
        }

        int gatewayPort = FreePort();
        int healthPort = FreePort();
        var output = new StringBuilder();
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
            "--host", "127.0.0.1", "--port", gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--health-port", healthPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--set", "OrleansRpc:Health:ShutdownDelay=00:00:01",
            "--set", "Logging:LogLevel:Default=Information",
        })
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var health = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{healthPort}"), Timeout = HealthApp.Patience };
            await PollAsync(health, HttpStatusCode.OK, process);

            // async_sum sleeps 1 s: it is in flight when the signal arrives.
            var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task<MessagePackValue> call = RapProbe.CallAsync(new IPEndPoint(IPAddress.Loopback, gatewayPort), "/default/async_sum", sent, ("a", 1), ("b", 2));
            await sent.Task.WaitAsync(HealthApp.Patience);
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

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
