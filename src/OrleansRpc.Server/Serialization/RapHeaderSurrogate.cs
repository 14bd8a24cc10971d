using Orleans;

namespace OrleansRpc.Server.Serialization;

/// <summary>A <see cref="Protocol.Frames.RapHeader"/> between silos: its msgpack map, as on the wire.</summary>
[GenerateSerializer, Immutable]
public struct RapHeaderSurrogate
{
    [Id(0)]
    public byte[] Msgpack;
}
