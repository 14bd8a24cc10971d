using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Host;

/// <summary>
/// Writes a msgpack value as one line of JSON for <c>orleansrpc call</c>: maps with non-string keys use the key's
/// JSON text as the name, binary becomes base64, non-finite floats and extensions become strings.
/// </summary>
internal static class MessagePackJson
{
    private static readonly JsonWriterOptions s_options = new()
    {
        // Human output: keep non-ASCII text readable; still valid JSON.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    public static string Serialize(MessagePackValue value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, s_options))
        {
            Write(writer, value);
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static void Write(Utf8JsonWriter writer, MessagePackValue value)
    {
        switch (value.Kind)
        {
            case MessagePackValueKind.Nil:
                writer.WriteNullValue();
                break;
            case MessagePackValueKind.Boolean:
                writer.WriteBooleanValue(value.AsBoolean());
                break;
            case MessagePackValueKind.Integer:
                writer.WriteNumberValue(value.AsInt64());
                break;
            case MessagePackValueKind.UnsignedInteger:
                writer.WriteNumberValue(value.AsUInt64());
                break;
            case MessagePackValueKind.Float32:
            case MessagePackValueKind.Float64:
                double number = value.AsDouble();
                if (double.IsFinite(number))
                {
                    writer.WriteNumberValue(number);
                }
                else
                {
                    writer.WriteStringValue(number.ToString(CultureInfo.InvariantCulture));
                }

                break;
            case MessagePackValueKind.String:
                writer.WriteStringValue(value.AsString());
                break;
            case MessagePackValueKind.Binary:
                writer.WriteBase64StringValue(value.AsBinary().Span);
                break;
            case MessagePackValueKind.Array:
                writer.WriteStartArray();
                foreach (MessagePackValue item in value.AsArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case MessagePackValueKind.Map:
                writer.WriteStartObject();
                foreach (var entry in value.AsMap())
                {
                    writer.WritePropertyName(entry.Key.IsString ? entry.Key.AsString() : Serialize(entry.Key));
                    Write(writer, entry.Value);
                }

                writer.WriteEndObject();
                break;
            default:
                writer.WriteStringValue(value.ToString());
                break;
        }
    }
}
