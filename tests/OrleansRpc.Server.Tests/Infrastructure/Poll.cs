namespace OrleansRpc.Server.Tests;

/// <summary>Waits for a condition with a deadline (instead of sleeping and hoping).</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("timed out waiting for " + what);
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Checks that <paramref name="invariant"/> holds throughout a short observation window.</summary>
    public static async Task HoldsAsync(Func<bool> invariant, string what, TimeSpan window)
    {
        var end = DateTime.UtcNow + window;
        do
        {
            Assert.True(invariant(), what);
            await Task.Delay(5);
        }
        while (DateTime.UtcNow < end);
        Assert.True(invariant(), what);
    }

    /// <summary>Checks that <paramref name="value"/> stays at most <paramref name="bound"/> throughout a short observation window.</summary>
    public static async Task AtMostAsync(Func<long> value, long bound, string what, TimeSpan window)
    {
        var end = DateTime.UtcNow + window;
        while (true)
        {
            var now = value();
            Assert.True(now <= bound, $"{what}: {now} > {bound}");
            if (DateTime.UtcNow >= end)
            {
                return;
            }

            await Task.Delay(5);
        }
    }
}
