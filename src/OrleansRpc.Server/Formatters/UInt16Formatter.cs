using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

internal sealed class UInt16Formatter : RapFormatter<ushort>
{
    public static readonly UInt16Formatter Instance = new();

    public override string PythonTypeName => "int";

    public override bool Accepts(MessagePackType type, bool strict) => type == MessagePackType.Integer;

    public override ushort Read(ref MessagePackReader reader) => reader.ReadUInt16();

    public override void Write(ref MessagePackWriter writer, ushort value) => writer.Write(value);
}
