using System.Globalization;
using System.Text.Json;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Host;

/// <summary>
/// Reads the JSON argument object of <c>orleansrpc call</c> into msgpack values, as Python's json + msgpack would:
/// integers stay integers, numbers with a fraction or an exponent become floats (float64).
/// </summary>
internal static class JsonArguments
{
    private static readonly JsonDocumentOptions s_options = new() { MaxDepth = 64 };

    /// <summary>Parses a JSON object of name → value. Throws <see cref="FormatException"/> when it is not one.</summary>
    public static Dictionary<string, object?> Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, s_options);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"the arguments are not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"the arguments must be a JSON object of name → value (got a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}).");
            }

            var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                // MessagePackValue travels as is through the client's converters ("any").
                arguments[property.Name] = ToMessagePack(property.Value);
            }

            return arguments;
        }
    }

    /// <summary>One JSON value as msgpack.</summary>
    public static MessagePackValue ToMessagePack(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
                return MessagePackValue.Nil;
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Number:
                return Number(element);
            case JsonValueKind.Array:
                var items = new List<MessagePackValue>(element.GetArrayLength());
                foreach (JsonElement item in element.EnumerateArray())
                {
                    items.Add(ToMessagePack(item));
                }

                return MessagePackValue.FromArray(items);
            case JsonValueKind.Object:
                var entries = new List<KeyValuePair<MessagePackValue, MessagePackValue>>();
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    entries.Add(new(property.Name, ToMessagePack(property.Value)));
                }

                return MessagePackValue.FromMap(entries);
            default:
                throw new FormatException($"unsupported JSON value {element.ValueKind}.");
        }
    }

    private static MessagePackValue Number(JsonElement element)
    {
        string raw = element.GetRawText();
        bool isInteger = raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0;
        if (isInteger)
        {
            if (element.TryGetInt64(out long signed))
            {
                return signed;
            }

            if (element.TryGetUInt64(out ulong unsigned))
            {
                return unsigned;
            }

            // Python would send a bigger int only as an error too (msgpack integers are 64-bit).
            throw new FormatException($"the integer {raw} does not fit in 64 bits.");
        }

        double value = double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.IsFinite(value) ? value : throw new FormatException($"the number {raw} is out of range.");
    }
}
