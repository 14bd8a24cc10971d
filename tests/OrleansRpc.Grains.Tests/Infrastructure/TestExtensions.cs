namespace OrleansRpc.Grains.Tests.Infrastructure;

internal static class TestExtensions
{
    /// <summary>Fails a test that would otherwise hang; the bound is generous and never asserted on.</summary>
    public static Task WithTestTimeout(this Task task) => task.WaitAsync(TimeSpan.FromSeconds(20));

    public static Task<T> WithTestTimeout<T>(this Task<T> task) => task.WaitAsync(TimeSpan.FromSeconds(20));
}
