using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

internal sealed class ByteFormatter : RapFormatter<byte>
{
    public static readonly ByteFormatter Instance = new();

    public override string PythonTypeName => "int";

    public override bool Accepts(MessagePackType type, bool strict) => type == MessagePackType.Integer;

    public override byte Read(ref MessagePackReader reader) => reader.ReadByte();

    public override void Write(ref MessagePackWriter writer, byte value) => writer.Write(value);
}
