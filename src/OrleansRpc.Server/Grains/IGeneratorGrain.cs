using Orleans;

namespace OrleansRpc.Server;

/// <summary>One generator run (key = a new Guid per run), placed on the gateway's silo when it can be.</summary>
[Alias("orleansrpc.IGeneratorGrain")]
public interface IGeneratorGrain : IGrainWithGuidKey, IRapGeneratorHost;
