using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

internal sealed class SingleFormatter : RapFormatter<float>
{
    public static readonly SingleFormatter Instance = new();

    public override string PythonTypeName => "float";

    public override bool Accepts(MessagePackType type, bool strict)
        => type == MessagePackType.Float || (!strict && type == MessagePackType.Integer);

    public override float Read(ref MessagePackReader reader) => reader.ReadSingle();

    // float64 on the wire: Python has one float type and a float32 would change the value it sees.
    public override void Write(ref MessagePackWriter writer, float value) => writer.Write((double)value);
}
