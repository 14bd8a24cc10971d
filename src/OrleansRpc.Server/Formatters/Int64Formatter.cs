using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

internal sealed class Int64Formatter : RapFormatter<long>
{
    public static readonly Int64Formatter Instance = new();

    public override string PythonTypeName => "int";

    public override bool Accepts(MessagePackType type, bool strict) => type == MessagePackType.Integer;

    public override long Read(ref MessagePackReader reader) => reader.ReadInt64();

    public override void Write(ref MessagePackWriter writer, long value) => writer.Write(value);
}
