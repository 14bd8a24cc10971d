using OrleansRpc.Client.Serialization;

namespace OrleansRpc.Client.Tests.Proxies;

/// <summary>A typed view of the fake server's functions.</summary>
public interface ICalculator
{
    /// <summary>→ /default/sum {"a", "b"}.</summary>
    [RapFunction("sum")]
    Task<int> SumAsync(int a, int b, CancellationToken cancellationToken = default);

    [RapFunction("echo")]
    ValueTask<string> EchoTextAsync([RapName("value")] string text);

    [RapFunction(Name = "echo_args", Group = "default")]
    Task<Dictionary<string, object?>> EchoArgs([RapName("user_id")] long userId, double ratio, RapCallOptions? options = null);

    Task Notify(string message);

    IAsyncEnumerable<int> CountUp(int n);

    [RapFunction("echo_channel")]
    Task<RapChannel> OpenEcho();

    [RapFunction("echo_channel")]
    Task RunEcho(Func<RapChannel, Task> body);
}

[RapService("admin")]
public interface IAdmin
{
    Task<string> WhoAmI();
}
