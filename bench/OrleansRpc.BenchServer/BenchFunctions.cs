using System.Runtime.CompilerServices;
using OrleansRpc.MessagePack;
using OrleansRpc.Server;

namespace OrleansRpc.BenchServer;

/// <summary>What the load generator calls: rap's <c>sum</c>, a byte echo, an int generator and an echo channel.</summary>
[RapGroup("default")]
public sealed class BenchFunctions
{
    /// <summary>rap's <c>def sum(a, b): return a + b</c>: a synchronous function.</summary>
    [RapFunction(Name = "sum")]
    public static long Sum(long a, long b) => a + b;

    /// <summary>The same as an async-shaped function that completes synchronously (no thread-pool hop).</summary>
    [RapFunction(Name = "sum_async")]
    public static ValueTask<long> SumAsync(long a, long b) => new(a + b);

    [RapFunction(Name = "echo_bytes")]
    public static byte[] EchoBytes(byte[] data) => data;

    /// <summary>An async generator of <paramref name="n"/> ints.</summary>
    [RapFunction(Name = "gen")]
    public static async IAsyncEnumerable<long> Generate(long n, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (long i = 0; i < n; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return i;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>Writes back every message until the client goes away.</summary>
    [RapFunction(Name = "echo_channel")]
    public static async Task EchoChannel(IRapChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        await foreach (MessagePackValue body in channel.ConfigureAwait(false))
        {
            await channel.WriteAsync(body).ConfigureAwait(false);
        }
    }
}
