using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

internal sealed class BooleanFormatter : RapFormatter<bool>
{
    public static readonly BooleanFormatter Instance = new();

    public override string PythonTypeName => "bool";

    public override bool Accepts(MessagePackType type, bool strict) => type == MessagePackType.Boolean;

    public override bool Read(ref MessagePackReader reader) => reader.ReadBoolean();

    public override void Write(ref MessagePackWriter writer, bool value) => writer.Write(value);
}
