namespace OrleansRpc.MessagePack;

/// <summary>The header of an ext value: its type code and the length of its data.</summary>
public readonly record struct ExtensionHeader(sbyte TypeCode, uint Length);
