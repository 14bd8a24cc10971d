using System.Buffers;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

internal sealed class ByteArrayFormatter : RapFormatter<byte[]>
{
    public static readonly ByteArrayFormatter Instance = new();

    public override string PythonTypeName => "bytes";

    public override bool Accepts(MessagePackType type, bool strict) => type == MessagePackType.Binary;

    public override byte[] Read(ref MessagePackReader reader)
    {
        var bytes = reader.ReadBytes();
        return bytes is { } sequence ? sequence.ToArray() : [];
    }

    public override void Write(ref MessagePackWriter writer, byte[] value) => writer.Write(value.AsSpan());
}
