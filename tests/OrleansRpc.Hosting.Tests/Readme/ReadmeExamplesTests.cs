using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansRpc.Client;
using OrleansRpc.TestingHost;
using Quickstart;

namespace OrleansRpc.Hosting.Tests.Readme;

/// <summary>The C# examples of the top-level README compile, and do what the README says when run.</summary>
public sealed class ReadmeExamplesTests
{
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(60);

    public static TheoryData<int> BlockLines() => [.. ReadmeDocument.CSharpBlocks.Select(b => b.Line)];

    [Fact]
    public void Readme_has_the_client_and_function_examples() =>
        Assert.True(ReadmeDocument.CSharpBlocks.Count >= 2, $"expected at least 2 csharp blocks, found {ReadmeDocument.CSharpBlocks.Count}");

    [Theory]
    [MemberData(nameof(BlockLines))]
    public void Csharp_block_compiles_as_written(int line)
    {
        var block = Assert.Single(ReadmeDocument.CSharpBlocks, b => b.Line == line);

        var assembly = ReadmeCompiler.CompileAndLoad(block, block.Code, OutputKind.ConsoleApplication);

        Assert.NotNull(assembly.EntryPoint);
    }

    [Fact]
    public async Task Client_example_calls_sync_sum_of_the_quickstart_server()
    {
        var block = ReadmeDocument.Single("RapClient.Create");
        const string readmeEndpoint = "\"127.0.0.1:9000\"";
        Assert.Contains(readmeEndpoint, block.Code, StringComparison.Ordinal);
        await using var cluster = await TestCluster.StartAsync(b => b.AddFunctions(f => f.AddQuickstartFunctions()));

        // The snippet as a method returning its `sum`, pointed at the cluster instead of the README's port 9000.
        string code = $$"""
            public static class ReadmeClientExample
            {
                public static async Task<long> RunAsync()
                {
            {{block.Code.Replace(readmeEndpoint, $"\"127.0.0.1:{cluster.EndPoint.Port}\"", StringComparison.Ordinal)}}
                    return sum;
                }
            }
            """;
        var assembly = ReadmeCompiler.CompileAndLoad(block, code, OutputKind.DynamicallyLinkedLibrary);
        var run = assembly.GetType("ReadmeClientExample")!.GetMethod("RunAsync")!;

        long sum = await ((Task<long>)run.Invoke(null, null)!).WaitAsync(s_hangGuard);

        Assert.Equal(3, sum);
    }

    [Fact]
    public async Task Function_example_serves_its_group_over_loopback()
    {
        var block = ReadmeDocument.Single("[RapGroup(\"math\")]");
        var assembly = ReadmeCompiler.CompileAndLoad(block, block.Code, OutputKind.ConsoleApplication);
        // The async body of the top-level statements (the entry point itself would block on it).
        var main = assembly.GetType("Program", throwOnError: true)!
            .GetMethod("<Main>$", BindingFlags.NonPublic | BindingFlags.Static)!;

        using var capture = HostCapture.Begin();
        Task program = Task.Run(() => (Task)main.Invoke(null, [Array.Empty<string>()])!);
        IHost host = await capture.Host.WaitAsync(s_hangGuard);
        IHostApplicationLifetime lifetime;
        try
        {
            lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        }
        catch (ObjectDisposedException)
        {
            // The program's start failed and it disposed its host before this looked: its exception is the real
            // error (reading host.Services hid it behind an ObjectDisposedException).
            await ((Task)Task.WhenAny(program)).WaitAsync(s_hangGuard);
            Assert.Fail("The README program ended before it started: " + (program.Exception?.ToString() ?? "without an exception"));
            throw;
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            // A failed start ends the program; surface its exception instead of waiting.
            await Task.WhenAny(started.Task, program).WaitAsync(s_hangGuard);
            Assert.False(program.IsFaulted, program.Exception?.ToString());
        }

        try
        {
            await using var client = RapClient.Create(HostCapture.EndpointOf(host));
            await client.StartAsync();

            Assert.Equal(3, await client.InvokeAsync<long>("math", "add", ("a", 1L), ("b", 2L)));
            Assert.Equal(42, await client.InvokeAsync<long>("math", "SlowAdd", ("a", 40L), ("b", 2L)));

            var items = new List<long>();
            await foreach (long item in client.StreamAsync<long>("math", "CountUp", RapArgs.Of(("n", 5L))))
            {
                items.Add(item);
            }

            Assert.Equal([0L, 1L, 2L, 3L, 4L], items);

            var channel = await client.OpenChannelAsync("math", "Echo");
            await using (channel)
            {
                foreach (string message in new[] { "hello", "world" })
                {
                    await channel.WriteAsync(message);
                    Assert.Equal(message, await channel.ReadAsync<string>().AsTask().WaitAsync(s_hangGuard));
                }
            }
        }
        finally
        {
            lifetime.StopApplication();
            await program.WaitAsync(s_hangGuard);
        }
    }
}
