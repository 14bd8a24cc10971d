using OrleansRpc.Server;

namespace ConformanceService;

/// <summary>Group <c>math</c>: same names as <c>default</c> with other results, so a client can tell groups apart.</summary>
[RapGroup("math")]
public sealed class MathFunctions
{
    [RapFunction(Name = "add")]
    public static Task<long> Add(long a, long b, CancellationToken cancellationToken) => DefaultFunctions.SumAsync(a, b, cancellationToken);

    [RapFunction(Name = "sum_sync")]
    public static long SumSync(long a, long b) => checked((a + b) * 10);
}
