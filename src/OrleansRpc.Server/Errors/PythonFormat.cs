using System.Globalization;
using System.Text;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Server;

/// <summary>Python's <c>str()</c>/<c>repr()</c> of a decoded msgpack value, for rap's error texts.</summary>
internal static class PythonFormat
{
    public static string Str(MessagePackValue value)
        => value.Kind == MessagePackValueKind.String ? value.AsString() : Repr(value);

    public static string Repr(MessagePackValue value)
    {
        var builder = new StringBuilder();
        AppendRepr(builder, value);
        return builder.ToString();
    }

    public static string SetRepr(IEnumerable<string> items)
    {
        var builder = new StringBuilder("{");
        var first = true;
        foreach (var item in items)
        {
            if (!first)
            {
                builder.Append(", ");
            }

            first = false;
            AppendString(builder, item);
        }

        return builder.Append('}').ToString();
    }

    public static string TypeName(MessagePackValueKind kind) => kind switch
    {
        MessagePackValueKind.Nil => "NoneType",
        MessagePackValueKind.Boolean => "bool",
        MessagePackValueKind.Integer or MessagePackValueKind.UnsignedInteger => "int",
        MessagePackValueKind.Float32 or MessagePackValueKind.Float64 => "float",
        MessagePackValueKind.String => "str",
        MessagePackValueKind.Binary => "bytes",
        MessagePackValueKind.Array => "tuple",
        MessagePackValueKind.Map => "dict",
        _ => "ExtType",
    };

    private static void AppendRepr(StringBuilder builder, MessagePackValue value)
    {
        switch (value.Kind)
        {
            case MessagePackValueKind.Nil:
                builder.Append("None");
                break;
            case MessagePackValueKind.Boolean:
                builder.Append(value.AsBoolean() ? "True" : "False");
                break;
            case MessagePackValueKind.Integer:
                builder.Append(value.AsInt64().ToString(CultureInfo.InvariantCulture));
                break;
            case MessagePackValueKind.UnsignedInteger:
                builder.Append(value.AsUInt64().ToString(CultureInfo.InvariantCulture));
                break;
            case MessagePackValueKind.Float32:
            case MessagePackValueKind.Float64:
                builder.Append(Float(value.AsDouble()));
                break;
            case MessagePackValueKind.String:
                AppendString(builder, value.AsString());
                break;
            case MessagePackValueKind.Binary:
                builder.Append("b'");
                foreach (var b in value.AsBinary().Span)
                {
                    if (b is >= 0x20 and < 0x7f && b != (byte)'\'' && b != (byte)'\\')
                    {
                        builder.Append((char)b);
                    }
                    else
                    {
                        builder.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
                    }
                }

                builder.Append('\'');
                break;
            case MessagePackValueKind.Array:
                var items = value.AsArray();
                builder.Append('(');
                for (var i = 0; i < items.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(", ");
                    }

                    AppendRepr(builder, items[i]);
                }

                builder.Append(items.Count == 1 ? ",)" : ")");
                break;
            case MessagePackValueKind.Map:
                builder.Append('{');
                var firstEntry = true;
                foreach (var entry in value.AsMap())
                {
                    if (!firstEntry)
                    {
                        builder.Append(", ");
                    }

                    firstEntry = false;
                    AppendRepr(builder, entry.Key);
                    builder.Append(": ");
                    AppendRepr(builder, entry.Value);
                }

                builder.Append('}');
                break;
            default:
                builder.Append(value.ToString());
                break;
        }
    }

    private static void AppendString(StringBuilder builder, string text)
    {
        // Python prefers single quotes unless the text contains one and no double quote.
        var quote = text.Contains('\'', StringComparison.Ordinal) && !text.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        builder.Append(quote);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c == quote)
                    {
                        builder.Append('\\').Append(c);
                    }
                    else if (c < 0x20 || c == 0x7f)
                    {
                        builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append(quote);
    }

    private static string Float(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        if (text.Contains('E', StringComparison.Ordinal))
        {
            // Python: 1e+300, 1e-05
            var mantissaEnd = text.IndexOf('E', StringComparison.Ordinal);
            var mantissa = text[..mantissaEnd];
            var exponent = int.Parse(text[(mantissaEnd + 1)..], CultureInfo.InvariantCulture);
            return string.Create(CultureInfo.InvariantCulture, $"{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}");
        }

        return text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
    }
}
