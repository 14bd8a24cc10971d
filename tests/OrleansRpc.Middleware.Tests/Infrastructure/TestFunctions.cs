namespace OrleansRpc.Middleware.Tests.Infrastructure;

/// <summary>The functions the tests call (names as in the recorded transcripts).</summary>
public static class TestFunctions
{
    public static long Sum(long a, long b = 2) => a + b;

    public static async Task<long> SumAsync(long a, long b, CancellationToken cancellationToken)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        return a + b;
    }

    public static long Divide(long a, long b) => a / b;
}
