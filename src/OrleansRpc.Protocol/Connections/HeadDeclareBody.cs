using System.Buffers;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Protocol.Connections;

/// <summary>The keys of a HEAD DECLARE body the server looks at (§2.7 b, §2.13).</summary>
internal readonly struct HeadDeclareBody
{
    public bool HasClientInfo { get; init; }

    public bool HasMetadata { get; init; }

    /// <summary>The <c>client_info</c> map, copied out of the frame (it outlives the receive buffer).</summary>
    public MessagePackValue ClientInfo { get; init; }

    /// <summary>The <c>metadata</c> value, copied out of the frame.</summary>
    public MessagePackValue Metadata { get; init; }

    public string? CryptoId { get; init; }

    public byte[]? CheckBody { get; init; }

    public static bool TryParse(in ReadOnlySequence<byte> body, out HeadDeclareBody result)
    {
        try
        {
            return TryParseCore(body, out result);
        }
        catch (MessagePackSerializationException)
        {
            // e.g. invalid UTF-8 in a str when body validation is off: a malformed DECLARE, not a broken connection.
            result = default;
            return false;
        }
    }

    private static bool TryParseCore(in ReadOnlySequence<byte> body, out HeadDeclareBody result)
    {
        result = default;
        var reader = new MessagePackReader(body);
        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            return false;
        }

        bool clientInfo = false, metadata = false;
        MessagePackValue clientInfoValue = default, metadataValue = default;
        string? cryptoId = null;
        byte[]? checkBody = null;
        var count = reader.ReadMapHeader();
        for (var i = 0; i < count; i++)
        {
            var key = reader.NextMessagePackType == MessagePackType.String ? reader.ReadString() : null;
            if (key is null)
            {
                reader.Skip();
                reader.Skip();
                continue;
            }

            switch (key)
            {
                case "client_info":
                    clientInfo = reader.NextMessagePackType == MessagePackType.Map;
                    clientInfoValue = MessagePackValue.Read(ref reader);
                    break;
                case "metadata":
                    metadata = true;
                    metadataValue = MessagePackValue.Read(ref reader);
                    break;
                case "crypto_id" when reader.NextMessagePackType == MessagePackType.String:
                    cryptoId = reader.ReadString();
                    break;
                case "check_body" when reader.NextMessagePackType is MessagePackType.Binary or MessagePackType.String:
                    checkBody = reader.NextMessagePackType == MessagePackType.Binary
                        ? reader.ReadBytes()!.Value.ToArray()
                        : reader.ReadStringSequence()!.Value.ToArray();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        result = new HeadDeclareBody { HasClientInfo = clientInfo, HasMetadata = metadata, ClientInfo = clientInfoValue, Metadata = metadataValue, CryptoId = cryptoId, CheckBody = checkBody };
        return true;
    }
}
