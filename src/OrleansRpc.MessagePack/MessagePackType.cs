namespace OrleansRpc.MessagePack;

/// <summary>The family of a msgpack value, as told by its first byte.</summary>
public enum MessagePackType : byte
{
    Unknown,
    Integer,
    Nil,
    Boolean,
    Float,
    String,
    Binary,
    Array,
    Map,
    Extension,
}
