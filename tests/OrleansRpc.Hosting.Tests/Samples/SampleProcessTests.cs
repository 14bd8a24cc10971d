using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Hosting.Tests.Samples;

/// <summary>
/// The two samples as the README and CONFORMANCE_SERVICE.md start them: <c>dotnet &lt;built dll&gt; HOST PORT [options]</c>
/// in a child process, called over a real socket, stopped with SIGTERM.
/// </summary>
public sealed partial class SampleProcessTests
{
    [Fact]
    public async Task Quickstart_dll_serves_the_readme_functions_and_exits_0_on_sigterm()
    {
        await RunAsync("Quickstart.dll", [], async gateway =>
        {
            Assert.Equal(3, (await RapProbe.CallAsync(gateway, "/default/sync_sum", ("a", 1), ("b", 2))).AsInt64());
            Assert.Equal(5, (await RapProbe.CallAsync(gateway, "/default/async_sum", ("a", 2), ("b", 3))).AsInt64());
        });
    }

    [Fact]
    public async Task ConformanceService_dll_takes_empty_option_values_as_not_given_and_exits_0_on_sigterm()
    {
        // Empty TLS and crypto values mean "not given": the service speaks plain, unencrypted rap.
        await RunAsync("ConformanceService.dll", ["--tls-cert", "", "--tls-key", "", "--crypto-key-id", "", "--crypto-secret", ""], async gateway =>
        {
            Assert.Equal(3, (await RapProbe.CallAsync(gateway, "/default/sum_sync", ("a", 1), ("b", 2))).AsInt64());
        });
    }

    private static async Task RunAsync(string dll, string[] options, Func<IPEndPoint, Task> exercise)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return; // stopped with SIGTERM, which Windows does not have
        }

        // Port 0, read back from the log: a port probed free here could be taken by another process first.
        var output = new StringBuilder();
        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])[Path.Combine(AppContext.BaseDirectory, dll), "127.0.0.1", "0", .. options])
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

            if (e.Data is { } line && GatewayListening().Match(line) is { Success: true } match)
            {
                port.TrySetResult(int.Parse(match.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            Task exited = process.WaitForExitAsync();
            if (await Task.WhenAny(port.Task, exited).WaitAsync(HealthApp.Patience) != port.Task)
            {
                Assert.Fail($"{dll} exited before listening:\n{Log(output)}");
            }

            await exercise(new IPEndPoint(IPAddress.Loopback, await port.Task));

            using (Process kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await exited.WaitAsync(HealthApp.Patience);
            Assert.True(process.ExitCode == 0, Log(output));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static string Log(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    [GeneratedRegex(@"rap gateway listening on 127\.0\.0\.1:(\d+) \(tcp\)")]
    private static partial Regex GatewayListening();
}
