using OrleansRpc.Gateway.Connections;

namespace OrleansRpc.Gateway.Tests.Connections;

public sealed class AsyncSignalTests
{
    [Fact]
    public async Task Set_before_wait_completes_the_next_wait_once()
    {
        var signal = new AsyncSignal();
        signal.Set();
        signal.Set();
        await signal.WaitAsync();
        Assert.False(signal.WaitAsync().IsCompleted);
    }

    [Fact]
    public async Task Set_wakes_a_waiting_consumer()
    {
        var signal = new AsyncSignal();
        ValueTask wait = signal.WaitAsync();
        Assert.False(wait.IsCompleted);
        signal.Set();
        await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Consumer_sees_every_burst_of_concurrent_setters()
    {
        var signal = new AsyncSignal();
        int produced = 0;
        int consumed = 0;
        const int Total = 20_000;
        Task consumer = Task.Run(async () =>
        {
            while (Volatile.Read(ref consumed) < Total)
            {
                await signal.WaitAsync();
                Volatile.Write(ref consumed, Volatile.Read(ref produced));
            }
        });

        Parallel.For(0, Total, _ =>
        {
            Interlocked.Increment(ref produced);
            signal.Set();
        });

        await consumer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Total, consumed);
    }
}
