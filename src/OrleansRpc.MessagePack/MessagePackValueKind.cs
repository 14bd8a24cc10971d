namespace OrleansRpc.MessagePack;

/// <summary>What a <see cref="MessagePackValue"/> holds.</summary>
public enum MessagePackValueKind : byte
{
    Nil,
    Boolean,

    /// <summary>A signed integer (negative values, or read from an int 8..64 format).</summary>
    Integer,

    /// <summary>A non-negative integer read from positive fixint or uint 8..64 (what Python sends for n ≥ 0).</summary>
    UnsignedInteger,
    Float32,
    Float64,
    String,
    Binary,
    Array,
    Map,
    Extension,
}
