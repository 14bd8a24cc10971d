namespace OrleansRpc.Client.Proxies;

/// <summary>How a proxy method maps onto the wire.</summary>
internal enum RapProxyMethodKind
{
    Task,
    ValueTask,
    TaskVoid,
    ValueTaskVoid,
    Stream,
    ChannelTask,
    ChannelValueTask,
    ChannelHandler,
}
