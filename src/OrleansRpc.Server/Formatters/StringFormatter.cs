using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

internal sealed class StringFormatter : RapFormatter<string>
{
    public static readonly StringFormatter Instance = new();

    public override string PythonTypeName => "str";

    public override bool Accepts(MessagePackType type, bool strict) => type == MessagePackType.String;

    public override string Read(ref MessagePackReader reader) => reader.ReadString() ?? string.Empty;

    public override void Write(ref MessagePackWriter writer, string value) => writer.Write(value);
}
