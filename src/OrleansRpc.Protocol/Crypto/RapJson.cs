using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Protocol.Crypto;

/// <summary>
/// JSON &lt;-&gt; msgpack with Python's rules, for the crypto envelope. Writing imitates <c>json.dumps</c> defaults
/// (", " and ": " separators, non-ASCII as <c>\uXXXX</c>, floats always with a '.' or exponent); reading accepts
/// any valid JSON (ints stay ints, numbers with a fraction or exponent become float64, arrays stay arrays).
/// </summary>
public static class RapJson
{
    /// <summary>
    /// Writes the next msgpack value as JSON. <see langword="false"/> when it has no JSON form: bin, ext, or a map key
    /// that is not a str (rap's encoder fails on those too).
    /// </summary>
    public static bool TryWriteJson(ref MessagePackReader reader, StringBuilder output)
    {
        ArgumentNullException.ThrowIfNull(output);
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                output.Append("null");
                return true;
            case MessagePackType.Boolean:
                output.Append(reader.ReadBoolean() ? "true" : "false");
                return true;
            case MessagePackType.Integer:
                if (reader.NextCode == MessagePackCode.UInt64)
                {
                    output.Append(reader.ReadUInt64().ToString(CultureInfo.InvariantCulture));
                }
                else
                {
                    output.Append(reader.ReadInt64().ToString(CultureInfo.InvariantCulture));
                }

                return true;
            case MessagePackType.Float:
                AppendFloat(output, reader.ReadDouble());
                return true;
            case MessagePackType.String:
                AppendString(output, reader.ReadString()!);
                return true;
            case MessagePackType.Array:
            {
                var count = reader.ReadArrayHeader();
                output.Append('[');
                for (var i = 0; i < count; i++)
                {
                    if (i > 0)
                    {
                        output.Append(", ");
                    }

                    if (!TryWriteJson(ref reader, output))
                    {
                        return false;
                    }
                }

                output.Append(']');
                return true;
            }

            case MessagePackType.Map:
            {
                var count = reader.ReadMapHeader();
                output.Append('{');
                for (var i = 0; i < count; i++)
                {
                    if (i > 0)
                    {
                        output.Append(", ");
                    }

                    if (reader.NextMessagePackType != MessagePackType.String)
                    {
                        return false;
                    }

                    AppendString(output, reader.ReadString()!);
                    output.Append(": ");
                    if (!TryWriteJson(ref reader, output))
                    {
                        return false;
                    }
                }

                output.Append('}');
                return true;
            }

            default:
                return false;
        }
    }

    /// <summary>Converts msgpack bytes to JSON text; <see langword="null"/> when the value has no JSON form.</summary>
    public static string? ToJson(in ReadOnlySequence<byte> msgpack)
    {
        var reader = new MessagePackReader(msgpack);
        var builder = new StringBuilder();
        return TryWriteJson(ref reader, builder) ? builder.ToString() : null;
    }

    /// <summary>Converts the JSON value at the reader's current token to msgpack.</summary>
    public static void WriteMessagePack(ref Utf8JsonReader json, ref MessagePackWriter writer)
    {
        switch (json.TokenType)
        {
            case JsonTokenType.Null:
                writer.WriteNil();
                break;
            case JsonTokenType.True:
                writer.Write(true);
                break;
            case JsonTokenType.False:
                writer.Write(false);
                break;
            case JsonTokenType.Number:
                WriteNumber(ref json, ref writer);
                break;
            case JsonTokenType.String:
                WriteString(ref json, ref writer);
                break;
            case JsonTokenType.StartArray:
            {
                // msgpack needs the count first: buffer the elements (in a pooled buffer: a large body is copied
                // up once per level, and fresh buffers grown by doubling allocated ~3 times its size at each).
                using var items = new PooledBufferWriter(256);
                var inner = new MessagePackWriter(items);
                var count = 0;
                while (json.Read() && json.TokenType != JsonTokenType.EndArray)
                {
                    WriteMessagePack(ref json, ref inner);
                    count++;
                }

                inner.Flush();
                writer.WriteArrayHeader(count);
                writer.WriteRaw(items.WrittenSpan);
                break;
            }

            case JsonTokenType.StartObject:
            {
                using var items = new PooledBufferWriter(256);
                var inner = new MessagePackWriter(items);
                var count = 0;
                while (json.Read() && json.TokenType != JsonTokenType.EndObject)
                {
                    WriteString(ref json, ref inner);
                    json.Read();
                    WriteMessagePack(ref json, ref inner);
                    count++;
                }

                inner.Flush();
                writer.WriteMapHeader(count);
                writer.WriteRaw(items.WrittenSpan);
                break;
            }

            default:
                throw new JsonException("Unexpected JSON token " + json.TokenType + ".");
        }
    }

    // A JSON string without escapes is already the UTF-8 of a msgpack str: copy it as is instead of going through a
    // .NET string (twice its size, then encoded back): opening an envelope holding a 20 MB string allocated 208 MiB.
    private static void WriteString(ref Utf8JsonReader json, ref MessagePackWriter writer)
    {
        if (!json.ValueIsEscaped && !json.HasValueSequence && System.Text.Unicode.Utf8.IsValid(json.ValueSpan))
        {
            writer.WriteString(json.ValueSpan);
            return;
        }

        writer.Write(json.GetString());
    }

    /// <summary>Converts JSON text to msgpack bytes (throws <see cref="JsonException"/> on invalid JSON).</summary>
    public static byte[] ToMessagePack(ReadOnlySpan<byte> utf8Json)
    {
        var json = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 256 });
        if (!json.Read())
        {
            throw new JsonException("Empty JSON.");
        }

        var output = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(output);
        WriteMessagePack(ref json, ref writer);
        writer.Flush();
        if (json.Read())
        {
            throw new JsonException("Trailing JSON content.");
        }

        return output.WrittenSpan.ToArray();
    }

    private static void WriteNumber(ref Utf8JsonReader json, ref MessagePackWriter writer)
    {
        var raw = json.HasValueSequence ? json.ValueSequence.ToArray() : json.ValueSpan;
        if (raw.IndexOfAny("."u8[0], (byte)'e', (byte)'E') < 0)
        {
            if (json.TryGetInt64(out var signed))
            {
                writer.Write(signed);
                return;
            }

            if (json.TryGetUInt64(out var unsigned))
            {
                writer.Write(unsigned);
                return;
            }
        }

        writer.Write(json.GetDouble());
    }

    private static void AppendFloat(StringBuilder output, double value)
    {
        if (double.IsNaN(value))
        {
            output.Append("NaN");
            return;
        }

        if (double.IsInfinity(value))
        {
            output.Append(value > 0 ? "Infinity" : "-Infinity");
            return;
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var exponent = text.IndexOf('E', StringComparison.Ordinal);
        if (exponent >= 0)
        {
            output.Append(text.AsSpan(0, exponent)).Append('e').Append(text.AsSpan(exponent + 1));
        }
        else
        {
            output.Append(text);
            if (text.IndexOf('.', StringComparison.Ordinal) < 0)
            {
                output.Append(".0");
            }
        }
    }

    private static void AppendString(StringBuilder output, string value)
    {
        output.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    output.Append("\\\"");
                    break;
                case '\\':
                    output.Append("\\\\");
                    break;
                case '\n':
                    output.Append("\\n");
                    break;
                case '\r':
                    output.Append("\\r");
                    break;
                case '\t':
                    output.Append("\\t");
                    break;
                case '\b':
                    output.Append("\\b");
                    break;
                case '\f':
                    output.Append("\\f");
                    break;
                default:
                    if (c < 0x20 || c > 0x7f)
                    {
                        output.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        output.Append(c);
                    }

                    break;
            }
        }

        output.Append('"');
    }
}
