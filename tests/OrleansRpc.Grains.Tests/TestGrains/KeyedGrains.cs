namespace OrleansRpc.Grains.Tests.TestGrains;

public interface IGuidKeyGrain : IGrainWithGuidKey
{
    Task<Guid> GetKey();
}

public interface IIntegerKeyGrain : IGrainWithIntegerKey
{
    Task<long> GetKey();
}

public interface IGuidCompoundKeyGrain : IGrainWithGuidCompoundKey
{
    Task<string> GetKey();
}

public interface IIntegerCompoundKeyGrain : IGrainWithIntegerCompoundKey
{
    Task<string> GetKey();
}

public sealed class GuidKeyGrain : Grain, IGuidKeyGrain
{
    public Task<Guid> GetKey() => Task.FromResult(this.GetPrimaryKey());
}

public sealed class IntegerKeyGrain : Grain, IIntegerKeyGrain
{
    public Task<long> GetKey() => Task.FromResult(this.GetPrimaryKeyLong());
}

public sealed class GuidCompoundKeyGrain : Grain, IGuidCompoundKeyGrain
{
    public Task<string> GetKey()
    {
        var key = this.GetPrimaryKey(out var extension);
        return Task.FromResult($"{key}|{extension}");
    }
}

public sealed class IntegerCompoundKeyGrain : Grain, IIntegerCompoundKeyGrain
{
    public Task<string> GetKey()
    {
        var key = this.GetPrimaryKeyLong(out var extension);
        return Task.FromResult($"{key}|{extension}");
    }
}
