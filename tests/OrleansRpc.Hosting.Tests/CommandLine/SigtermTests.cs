using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using OrleansRpc.MessagePack;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Hosting.Tests.CommandLine;

/// <summary><c>orleansrpc serve</c> as a real child process, stopped the way Kubernetes stops it: SIGTERM.</summary>
public sealed partial class SigtermTests
{
    [Fact]
    public async Task Sigterm_turns_readiness_false_drains_the_in_flight_call_refuses_new_connections_and_exits_0()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return; // SIGTERM is what container runtimes send; Windows has no equivalent to test here
        }

        string directory = Directory.CreateTempSubdirectory("orleansrpc-sigterm-").FullName;
        string release = Path.Combine(directory, "release");
        string functions = HoldFunctionAssembly.Build(directory);

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
            "--functions", functions,
            "--host", "127.0.0.1", "--port", "0", "--health-port", "0",
            "--set", "OrleansRpc:Health:ShutdownDelay=00:00:01",
            // Long enough that a slow machine releases the call before the drain gives up on it.
            "--set", "OrleansRpc:Gateway:DrainTimeout=00:00:30",
            "--set", "OrleansRpc:Server:RunTimeout=00:01:00",
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

            var gateway = new IPEndPoint(IPAddress.Loopback, await gatewayPort.Task);
            using var health = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{await healthPort.Task}"), Timeout = HealthApp.Patience };
            await PollAsync(health, HttpStatusCode.OK, process);

            // The held call runs in the function until the test creates the release file.
            const long CallId = 11;
            await using RawFrameClient client = await RapProbe.ConnectAsync(gateway);
            await RapProbe.SendCallAsync(client, CallId, HoldFunctionAssembly.Target, ("release", release), ("value", 42));
            await WaitUntilInFlightAsync(health, process);

            using (Process kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            // Readiness goes false first; after the shutdown delay the gateway drains: the HEAD client is told.
            await PollAsync(health, HttpStatusCode.ServiceUnavailable, process);
            MessagePackValue shutdown = await ReadUntilShutdownEventAsync(client, CallId);
            Assert.Equal(29, shutdown["close_timeout"].AsInt64()); // DrainTimeout − 1 s, as rap does

            // While draining, a new connection is refused or closed before it is answered.
            await AssertRefusedAsync(gateway);

            // The call received before the signal is still answered, then the connection closes.
            await File.WriteAllTextAsync(release, "");
            MessagePackValue answer = await ReadAnswerAsync(client, CallId);
            Assert.Equal(42, answer.AsInt64());
            Assert.Null(await ReadNonPingAsync(client));

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

            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Returns once the server's in-flight gauge shows the held call running in the function: a request merely
    /// written to the socket is not enough, the child may not have read it when the drain begins.
    /// </summary>
    private static async Task WaitUntilInFlightAsync(HttpClient health, Process process)
    {
        using var patience = new CancellationTokenSource(HealthApp.Patience);
        while (true)
        {
            Assert.False(process.HasExited, "orleansrpc serve exited early");
            string metrics = (await health.GetTextAsync("/metrics")).Body;
            if (metrics.Split('\n').Any(line => line.StartsWith("orleansrpc_calls_in_flight{", StringComparison.Ordinal)
                && line.Contains("rap_function=\"hold\"", StringComparison.Ordinal) && line.EndsWith(" 1", StringComparison.Ordinal)))
            {
                return;
            }

            await Task.Delay(25, patience.Token);
        }
    }

    /// <summary>Reads up to the <c>shutdown</c> event (skipping DECLARE's answer and pings); returns its body.</summary>
    private static async Task<MessagePackValue> ReadUntilShutdownEventAsync(RawFrameClient client, long callId)
    {
        while (await client.ReadFrameAsync(HealthApp.Patience) is { } frame)
        {
            MessagePackValue message = MessagePackValue.Parse(frame);
            Assert.False(message[0].AsInt64() == RapProbe.Request && message[1].AsInt64() == callId, "the held call was answered before the drain");
            if (message[2].TryGetValue("target", out MessagePackValue target) && target.IsString && target.AsString() == "/_event/shutdown")
            {
                return message[3];
            }
        }

        throw new InvalidOperationException("The gateway closed the connection without the shutdown event.");
    }

    private static async Task<MessagePackValue> ReadAnswerAsync(RawFrameClient client, long callId)
    {
        MessagePackValue? message = await ReadNonPingAsync(client);
        Assert.True(message is { } m && m[0].AsInt64() == RapProbe.Request && m[1].AsInt64() == callId, $"expected the answer to call {callId}, got {message}");
        return message!.Value[3];
    }

    /// <summary>The next frame that is not a server ping, or null once the server closed the connection.</summary>
    private static async Task<MessagePackValue?> ReadNonPingAsync(RawFrameClient client)
    {
        while (await client.ReadFrameAsync(HealthApp.Patience) is { } frame)
        {
            MessagePackValue message = MessagePackValue.Parse(frame);
            if (!(message[2].TryGetValue("target", out MessagePackValue target) && target.IsString && target.AsString() == "/_event/ping"))
            {
                return message;
            }
        }

        return null;
    }

    private static async Task AssertRefusedAsync(IPEndPoint gateway)
    {
        RawFrameClient late;
        try
        {
            late = await RapProbe.ConnectAsync(gateway);
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException)
        {
            return; // the listener is already gone
        }

        await using (late)
        {
            // Accepted by the kernel before the listener closed: the gateway closes it without answering DECLARE.
            Assert.Null(await late.ReadFrameAsync(HealthApp.Patience));
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
