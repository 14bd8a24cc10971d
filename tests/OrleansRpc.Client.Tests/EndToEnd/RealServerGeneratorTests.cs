using System.Runtime.CompilerServices;
using OrleansRpc.Server;

namespace OrleansRpc.Client.Tests.EndToEnd;

/// <summary>What leaving a generator loop early does on our own server, over loopback.</summary>
public sealed class RealServerGeneratorTests
{
    [Fact]
    public async Task Breaking_out_of_a_generator_stops_it_on_the_server()
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Endless: only the client's DROP can end it (without DROP it would wait on back-pressure forever).
        async IAsyncEnumerable<long> Endless([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            try
            {
                for (long i = 0; ; i++)
                {
                    await Task.Yield();
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return i;
                }
            }
            finally
            {
                stopped.TrySetResult();
            }
        }

        await using var cluster = await RealServer.StartAsync(b => b.AddFunctions(f => f.AddFunction(Endless, "endless")));
        await using var client = RealServer.Client(cluster);

        var items = new List<long>();
        await foreach (long item in client.StreamAsync<long>("default", "endless"))
        {
            items.Add(item);
            if (items.Count == 3)
            {
                break;
            }
        }

        Assert.Equal([0L, 1L, 2L], items);
        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(30)); // hang guard only
        Assert.Equal(3, await client.InvokeAsync<long>("default", "sum_sync", ("a", 1), ("b", 2)));
    }
}
