using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

internal sealed class DoubleFormatter : RapFormatter<double>
{
    public static readonly DoubleFormatter Instance = new();

    public override string PythonTypeName => "float";

    // HEAD passes values through, so an int where a float is declared just works (as in Python);
    // 0.5.3.8 compares exact types: only a msgpack float binds.
    public override bool Accepts(MessagePackType type, bool strict)
        => type == MessagePackType.Float || (!strict && type == MessagePackType.Integer);

    public override double Read(ref MessagePackReader reader) => reader.ReadDouble();

    public override void Write(ref MessagePackWriter writer, double value) => writer.Write(value);
}
