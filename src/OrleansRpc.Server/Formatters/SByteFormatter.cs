using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

internal sealed class SByteFormatter : RapFormatter<sbyte>
{
    public static readonly SByteFormatter Instance = new();

    public override string PythonTypeName => "int";

    public override bool Accepts(MessagePackType type, bool strict) => type == MessagePackType.Integer;

    public override sbyte Read(ref MessagePackReader reader) => reader.ReadSByte();

    public override void Write(ref MessagePackWriter writer, sbyte value) => writer.Write(value);
}
