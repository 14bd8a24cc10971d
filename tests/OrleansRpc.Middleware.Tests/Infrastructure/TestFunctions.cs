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

    public static async IAsyncEnumerable<long> Count(long n, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (long i = 0; i < n; i++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return i;
        }
    }

    public static async Task Echo(IRapChannel channel)
    {
        await foreach (var body in channel.ConfigureAwait(false))
        {
            await channel.WriteAsync(body).ConfigureAwait(false);
        }
    }
}
