namespace OrleansRpc.Grains.Tests.TestGrains;

public interface IFailingActivationGrain : IGrainWithStringKey
{
    Task Call();
}

public sealed class FailingActivationGrain : Grain, IFailingActivationGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken) =>
        throw new CustomGrainException("activation failed for " + this.GetPrimaryKeyString());

    public Task Call() => Task.CompletedTask;
}
