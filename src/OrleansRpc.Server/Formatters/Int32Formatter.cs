using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

internal sealed class Int32Formatter : RapFormatter<int>
{
    public static readonly Int32Formatter Instance = new();

    public override string PythonTypeName => "int";

    public override bool Accepts(MessagePackType type, bool strict) => type == MessagePackType.Integer;

    public override int Read(ref MessagePackReader reader) => reader.ReadInt32();

    public override void Write(ref MessagePackWriter writer, int value) => writer.Write(value);
}
