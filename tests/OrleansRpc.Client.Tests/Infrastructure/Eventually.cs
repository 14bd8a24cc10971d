namespace OrleansRpc.Client.Tests.Infrastructure;

/// <summary>Waits for a condition that another thread makes true (no timing assertion: the bound is only a hang guard).</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string because, int timeoutMs = 10_000)
    {
        var started = Environment.TickCount64;
        while (!condition())
        {
            if (Environment.TickCount64 - started > timeoutMs)
            {
                Assert.Fail("Condition not reached: " + because);
            }

            await Task.Delay(10);
        }
    }
}
