using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Tests.EndToEnd;

/// <summary>The conformance service seen through a typed proxy.</summary>
public interface IConformance
{
    [RapFunction("sum_sync")]
    Task<long> SumSync(long a, long b);

    [RapFunction("sum_async")]
    ValueTask<long> SumAsync(long a, long b, CancellationToken cancellationToken = default);

    [RapFunction("greet")]
    Task<string> Greet(string name, string greeting = "hello");

    [RapFunction("echo")]
    Task<MessagePackValue> Echo(MessagePackValue value);

    [RapFunction("count_up")]
    IAsyncEnumerable<long> CountUp(long n);

    [RapFunction("echo_channel")]
    Task<RapChannel> EchoChannel();

    [RapFunction("add", Group = "math")]
    Task<long> MathAdd(long a, long b);
}

public sealed record ChannelStats(int EchoChannelActive, int EchoChannelEnded, int EchoChannelCancelled, IReadOnlyList<string> EndedTags);
