using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

internal sealed class UInt64Formatter : RapFormatter<ulong>
{
    public static readonly UInt64Formatter Instance = new();

    public override string PythonTypeName => "int";

    public override bool Accepts(MessagePackType type, bool strict) => type == MessagePackType.Integer;

    public override ulong Read(ref MessagePackReader reader) => reader.ReadUInt64();

    public override void Write(ref MessagePackWriter writer, ulong value) => writer.Write(value);
}
