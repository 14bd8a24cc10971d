using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Formatters;

/// <summary>The "any" type: every msgpack value binds; results are checked for non-str map keys before they go out.</summary>
internal sealed class MessagePackValueFormatter : RapFormatter<MessagePackValue>
{
    public static readonly MessagePackValueFormatter Instance = new();

    public override string PythonTypeName => "object";

    // 0.5.3.8 has no declared type for a top-level bin (its checker throws: "Rpc run time error").
    public override bool Accepts(MessagePackType type, bool strict) => type != MessagePackType.Unknown && !(strict && type == MessagePackType.Binary);

    public override MessagePackValue Read(ref MessagePackReader reader) => MessagePackValue.Read(ref reader);

    public override void Write(ref MessagePackWriter writer, MessagePackValue value)
    {
        EnsureStringKeys(value);
        value.Write(ref writer);
    }

    // A Python client's decoder (strict_map_key) tears the connection down on any other key type.
    private static void EnsureStringKeys(MessagePackValue value)
    {
        switch (value.Kind)
        {
            case MessagePackValueKind.Array:
                foreach (var item in value.AsArray())
                {
                    EnsureStringKeys(item);
                }

                break;
            case MessagePackValueKind.Map:
                foreach (var entry in value.AsMap())
                {
                    if (entry.Key.Kind is not (MessagePackValueKind.String or MessagePackValueKind.Binary))
                    {
                        throw new RapResultException("dictionaries must have string keys");
                    }

                    EnsureStringKeys(entry.Value);
                }

                break;
        }
    }
}
