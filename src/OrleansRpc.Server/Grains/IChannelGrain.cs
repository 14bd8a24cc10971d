using Orleans;

namespace OrleansRpc.Server;

/// <summary>One channel (key = a new Guid per channel), placed on the gateway's silo when it can be.</summary>
[Alias("orleansrpc.IChannelGrain")]
public interface IChannelGrain : IGrainWithGuidKey, IRapChannelHost;
