namespace OrleansRpc.Grains.Tests.TestGrains;

public sealed class CustomGrainException(string message) : Exception(message);

public interface IThrowingGrain : IGrainWithIntegerKey
{
    Task ThrowSync();

    Task<int> ThrowAfterAwait();

    ValueTask<int> ThrowValueTask();
}

public sealed class ThrowingGrain : Grain, IThrowingGrain
{
    public Task ThrowSync() => throw new CustomGrainException("sync boom");

    public async Task<int> ThrowAfterAwait()
    {
        await Task.Yield();
        throw new CustomGrainException("async boom");
    }

    public ValueTask<int> ThrowValueTask() => throw new ArgumentOutOfRangeException(nameof(ThrowValueTask), "value task boom");
}
