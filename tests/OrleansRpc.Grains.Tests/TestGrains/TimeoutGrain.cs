using OrleansRpc.Grains.Tests.Infrastructure;

namespace OrleansRpc.Grains.Tests.TestGrains;

public interface ITimeoutGrain : IGrainWithStringKey
{
    [ResponseTimeout("00:00:05")]
    Task Hang(CancellationToken cancellationToken);

    Task<int> HangDefault(CancellationToken cancellationToken);
}

public sealed class TimeoutGrain(Probe probe) : Grain, ITimeoutGrain
{
    public async Task Hang(CancellationToken cancellationToken)
    {
        probe.Signal("hang-entered").TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            probe.Signal("callee-cancelled").TrySetResult();
            throw;
        }
    }

    public async Task<int> HangDefault(CancellationToken cancellationToken)
    {
        await Hang(cancellationToken);
        return 1;
    }
}
