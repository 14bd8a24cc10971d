using System.Buffers;

namespace OrleansRpc.MessagePack;

/// <summary>An ext value: its type code and its data (a slice of the input when read).</summary>
public readonly record struct ExtensionResult(sbyte TypeCode, ReadOnlySequence<byte> Data)
{
    public ExtensionResult(sbyte typeCode, ReadOnlyMemory<byte> data)
        : this(typeCode, new ReadOnlySequence<byte>(data))
    {
    }

    public ExtensionHeader Header => new(TypeCode, (uint)Data.Length);
}
