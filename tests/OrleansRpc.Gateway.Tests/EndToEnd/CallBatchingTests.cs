using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using OrleansRpc.Gateway.Tests.Infrastructure;
using OrleansRpc.MessagePack;
using OrleansRpc.Server;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.EndToEnd;

/// <summary>
/// Cheap calls of one group that arrive in one read go to their grain as one batch call (Orleans' per-call cost paid
/// once), over a real socket: every call gets its own right answer, and fewer grain calls were made than rap calls.
/// </summary>
public sealed class CallBatchingTests
{
    [Fact]
    public async Task Pipelined_cheap_calls_of_one_read_are_answered_through_few_grain_calls()
    {
        var methods = new ConcurrentQueue<string>();
        await using TestCluster cluster = await TestCluster.StartAsync(b => b
            .AddFunctions(f => f.AddFunctionGroup<CheapFunctions>())
            .ConfigureServices(s => s.AddSingleton<IIncomingGrainCallFilter>(new CountingFilter(methods))));
        await using var client = await RapFrames.ConnectHeadAsync(cluster);

        // 100 calls in one write: the gateway reads them together.
        const int calls = 100;
        byte[] write = [.. Enumerable.Range(0, calls).SelectMany(i => RapFrames.HeadCall(5 + (2 * i), "cheap", "add", MessagePackValue.FromMap(("a", i), ("b", 1000))))];
        await client.SendAsync(write);
        var answers = new Dictionary<long, long>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (answers.Count < calls)
        {
            byte[] bytes = await client.ReadFrameAsync().WaitAsync(timeout.Token) ?? throw new InvalidOperationException("The server closed the connection.");
            MessagePackValue frame = MessagePackValue.Parse(bytes);
            if (frame[0].AsInt64() == 101)
            {
                answers[frame[1].AsInt64()] = frame[3].AsInt64();
            }
        }

        for (int i = 0; i < calls; i++)
        {
            Assert.Equal(i + 1000, answers[5 + (2 * i)]);
        }

        int batches = methods.Count(m => m == nameof(IFunctionGroupGrain.InvokeBatchAsync));
        int single = methods.Count(m => m == nameof(IFunctionGroupGrain.InvokeAsync));
        Assert.True(batches >= 1, "no batch call was made");
        Assert.True(batches + single < calls, $"{batches} batch and {single} single grain calls for {calls} rap calls");
    }

    [RapGroup("cheap")]
    public sealed class CheapFunctions
    {
        [RapFunction(Name = "add", SynchronousExecution = RapSynchronousExecution.Inline)]
        public static long Add(long a, long b) => a + b;
    }

    private sealed class CountingFilter(ConcurrentQueue<string> methods) : IIncomingGrainCallFilter
    {
        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.DeclaringType == typeof(IFunctionGroupGrain))
            {
                methods.Enqueue(context.InterfaceMethod.Name);
            }

            return context.Invoke();
        }
    }
}
