using System.Globalization;
using System.Text;

namespace OrleansRpc.Hosting.Metrics;

/// <summary>
/// Maps System.Diagnostics.Metrics names to Prometheus names the way OpenTelemetry's Prometheus exporter
/// does: invalid characters become '_', the unit becomes a suffix (<c>s</c> → <c>_seconds</c>, annotations
/// such as <c>{connection}</c> are dropped) and counters end in <c>_total</c>.
/// </summary>
internal static class PrometheusNames
{
    public static string MetricName(string instrumentName, string? unit, bool isCounter)
    {
        string name = Sanitize(instrumentName, allowColon: true);
        if (UnitSuffix(unit) is { } suffix && !name.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            name += "_" + suffix;
        }

        if (isCounter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }

        return name;
    }

    public static string LabelName(string key) => Sanitize(key, allowColon: false);

    public static string? UnitSuffix(string? unit)
    {
        if (string.IsNullOrWhiteSpace(unit) || unit.StartsWith('{') || unit == "1")
        {
            return null;
        }

        return unit switch
        {
            "s" => "seconds",
            "ms" => "milliseconds",
            "us" => "microseconds",
            "ns" => "nanoseconds",
            "min" => "minutes",
            "h" => "hours",
            "By" => "bytes",
            "KiBy" => "kibibytes",
            "MiBy" => "mebibytes",
            "%" => "percent",
            _ => Sanitize(unit, allowColon: false).Trim('_') is { Length: > 0 } sanitized ? sanitized : null,
        };
    }

    public static string Sanitize(string name, bool allowColon)
    {
        var builder = new StringBuilder(name.Length + 1);
        foreach (char c in name)
        {
            bool valid = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' || (allowColon && c == ':');
            builder.Append(valid ? c : '_');
        }

        if (builder.Length == 0 || char.IsAsciiDigit(builder[0]))
        {
            builder.Insert(0, '_');
        }

        return builder.ToString();
    }

    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    public static string EscapeHelp(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    public static string FormatValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };

    public static string FormatTagValue(object? value) => value switch
    {
        null => string.Empty,
        bool b => b ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
