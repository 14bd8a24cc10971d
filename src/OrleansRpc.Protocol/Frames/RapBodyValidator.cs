using OrleansRpc.MessagePack;

namespace OrleansRpc.Protocol.Frames;

/// <summary>
/// Walks one value checking that every map key is a str or bin: Python peers (strict_map_key) cannot decode
/// anything else, and rap treats such frames as undecodable (§1.4, §2.14).
/// </summary>
internal static class RapBodyValidator
{
    public static bool TrySkipValidated(ref MessagePackReader reader, int depth = 0)
    {
        if (depth > reader.Options.MaxDepth)
        {
            throw new MessagePackLimitExceededException(nameof(MessagePackReaderOptions.MaxDepth), reader.Options.MaxDepth, depth);
        }

        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Map:
            {
                var count = reader.ReadMapHeader();
                for (var i = 0; i < count; i++)
                {
                    var keyType = reader.NextMessagePackType;
                    if (keyType is not (MessagePackType.String or MessagePackType.Binary))
                    {
                        return false;
                    }

                    reader.Skip();
                    if (!TrySkipValidated(ref reader, depth + 1))
                    {
                        return false;
                    }
                }

                return true;
            }

            case MessagePackType.Array:
            {
                var count = reader.ReadArrayHeader();
                for (var i = 0; i < count; i++)
                {
                    if (!TrySkipValidated(ref reader, depth + 1))
                    {
                        return false;
                    }
                }

                return true;
            }

            default:
                reader.Skip();
                return true;
        }
    }
}
