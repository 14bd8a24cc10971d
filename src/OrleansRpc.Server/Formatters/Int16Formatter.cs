using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

internal sealed class Int16Formatter : RapFormatter<short>
{
    public static readonly Int16Formatter Instance = new();

    public override string PythonTypeName => "int";

    public override bool Accepts(MessagePackType type, bool strict) => type == MessagePackType.Integer;

    public override short Read(ref MessagePackReader reader) => reader.ReadInt16();

    public override void Write(ref MessagePackWriter writer, short value) => writer.Write(value);
}
