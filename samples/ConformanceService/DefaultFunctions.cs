using System.Runtime.CompilerServices;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Errors;
using OrleansRpc.Server;

namespace ConformanceService;

/// <summary>Group <c>default</c> of the conformance service (CONFORMANCE_SERVICE.md §2.1–2.3).</summary>
[RapGroup("default")]
public sealed class DefaultFunctions(ChannelStats stats)
{
    /// <summary>
    /// A plain (blocking-style) function: the server runs it on the thread pool. Checked: Python's ints do not
    /// wrap, so a sum outside int64 is answered with OverflowError (the mapped <see cref="OverflowException"/>), never a wrong number.
    /// </summary>
    [RapFunction(Name = "sum_sync", Aliases = ["sum_alias"])]
    public static long SumSync(long a, long b) => checked(a + b);

    [RapFunction(Name = "sum_async")]
    public static async Task<long> SumAsync(long a, long b, CancellationToken cancellationToken)
    {
        await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        return checked(a + b);
    }

    [RapFunction(Name = "greet")]
    public static string Greet(string name, string greeting = "hello", string punct = "!") => $"{greeting}, {name}{punct}";

    [RapFunction(Name = "echo")]
    public static MessagePackValue Echo(MessagePackValue value) => value;

    [RapFunction(Name = "raise_error")]
    public static long RaiseError(string kind, string message) => kind switch
    {
        "ValueError" => throw new ArgumentException(message),
        "ZeroDivisionError" => throw new DivideByZeroException(message),
        "ConformanceError" => throw new ConformanceError(message),
        _ => throw new RapFunctionException("RuntimeError", message),
    };

    [RapFunction(Name = "sleep_ms")]
    public static async Task<long> SleepMs(long ms, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(ms), cancellationToken).ConfigureAwait(false);
        return ms;
    }

    [RapFunction(Name = "secret_info", IsPrivate = true)]
    public static string SecretInfo() => "top secret";

    [RapFunction(Name = "channel_stats")]
    public ChannelStatsSnapshot GetChannelStats() => stats.Snapshot();

    [RapFunction(Name = "count_up")]
    public static async IAsyncEnumerable<long> CountUp(long n, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (long i = 0; i < n; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return i;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>Echoes every body until the channel ends; counts runs, tags and cancellations for <c>channel_stats</c>.</summary>
    [RapFunction(Name = "echo_channel")]
    public async Task EchoChannel(IRapChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        string? tag = null;
        stats.Started();
        try
        {
            await foreach (var body in channel.ConfigureAwait(false))
            {
                if (body.Kind == MessagePackValueKind.Map && body.TryGetValue("tag", out var value) && value.Kind == MessagePackValueKind.String)
                {
                    tag = value.AsString();
                }

                await channel.WriteAsync(body).ConfigureAwait(false);
            }
        }
        catch (RapChannelClosedException)
        {
            // The client dropped (or the connection went) while we were writing: an ordinary end.
        }
        finally
        {
            stats.Ended(tag, cancelled: channel.Aborted.IsCancellationRequested);
        }
    }

    /// <summary>Reads one body n and writes 0..n-1, then returns (the server sends the drop).</summary>
    [RapFunction(Name = "count_channel")]
    public static async Task CountChannel(IRapChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var n = (await channel.ReadAsync().ConfigureAwait(false)).AsInt64();
        for (long i = 0; i < n; i++)
        {
            await channel.WriteAsync(i).ConfigureAwait(false);
        }
    }

    /// <summary>Reads one body, then fails with ValueError (the server drops the channel).</summary>
    [RapFunction(Name = "raise_channel")]
    public static async Task RaiseChannel(IRapChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        await channel.ReadAsync().ConfigureAwait(false);
        throw new ArgumentException("raise_channel failed");
    }
}
