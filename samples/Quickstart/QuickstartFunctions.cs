using System.Runtime.CompilerServices;
using OrleansRpc.MessagePack;
using OrleansRpc.Server;

namespace Quickstart;

/// <summary>rap README's server: <c>sync_sum</c>, <c>async_sum</c>, <c>async_gen</c> and the channel examples.</summary>
[RapGroup("default")]
public sealed class QuickstartFunctions
{
    [RapFunction(Name = "sync_sum")]
    public static long SyncSum(long a, long b) => checked(a + b);

    [RapFunction(Name = "async_sum")]
    public static async Task<long> AsyncSum(long a, long b, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false); // mock io
        return checked(a + b);
    }

    [RapFunction(Name = "async_gen")]
    public static async IAsyncEnumerable<long> AsyncGen(long a, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (long i = 0; i < a; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return i;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>Echo loop: read a body, write it back, until the client closes the channel.</summary>
    [RapFunction(Name = "async_channel")]
    public static async Task AsyncChannel(IRapChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        while (!channel.IsClosed)
        {
            MessagePackValue body;
            try
            {
                body = await channel.ReadAsync().ConfigureAwait(false);
            }
            catch (RapChannelClosedException)
            {
                return;
            }

            await channel.WriteAsync(body).ConfigureAwait(false);
        }
    }

    /// <summary>Echoes each body (rap's <c>iter_body</c>).</summary>
    [RapFunction(Name = "echo_body")]
    public static async Task EchoBody(IRapChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        await foreach (var body in channel.ConfigureAwait(false))
        {
            await channel.WriteAsync(body).ConfigureAwait(false);
        }
    }

    /// <summary>Echoes each message (rap's <c>iter_response</c>: the body of every message received).</summary>
    [RapFunction(Name = "echo_response")]
    public static async Task EchoResponse(IRapChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        await foreach (var message in channel.ConfigureAwait(false))
        {
            await channel.WriteAsync(message).ConfigureAwait(false);
        }
    }
}
