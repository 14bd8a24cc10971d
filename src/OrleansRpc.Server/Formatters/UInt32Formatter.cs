using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

internal sealed class UInt32Formatter : RapFormatter<uint>
{
    public static readonly UInt32Formatter Instance = new();

    public override string PythonTypeName => "int";

    public override bool Accepts(MessagePackType type, bool strict) => type == MessagePackType.Integer;

    public override uint Read(ref MessagePackReader reader) => reader.ReadUInt32();

    public override void Write(ref MessagePackWriter writer, uint value) => writer.Write(value);
}
