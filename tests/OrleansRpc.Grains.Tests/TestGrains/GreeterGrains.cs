namespace OrleansRpc.Grains.Tests.TestGrains.Greeters;

public interface IGreeterGrain : IGrainWithStringKey
{
    Task<string> Greet(string name);
}

public sealed class EnglishGreeterGrain : Grain, IGreeterGrain
{
    public Task<string> Greet(string name) => Task.FromResult("Hello " + name);
}

public sealed class FrenchGreeterGrain : Grain, IGreeterGrain
{
    public Task<string> Greet(string name) => Task.FromResult("Bonjour " + name);
}
