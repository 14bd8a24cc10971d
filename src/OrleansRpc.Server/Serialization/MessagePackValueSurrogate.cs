using Orleans;

namespace OrleansRpc.Server.Serialization;

/// <summary>A <see cref="MessagePack.MessagePackValue"/> between silos: its msgpack encoding.</summary>
[GenerateSerializer, Immutable]
public struct MessagePackValueSurrogate
{
    [Id(0)]
    public byte[] Msgpack;
}
