using System.Globalization;
using System.Text.Json;

namespace OrleansRpc.LoadGenerator;

/// <summary>
/// Reads the JSON lines bench/run.sh collected (labels <c>case|server</c>, servers <c>ceiling</c> and <c>real</c>)
/// and prints medians, ratios and the issue's targets as Markdown tables.
/// </summary>
public static class Summary
{
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    public static int Print(string path, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var lines = File.ReadAllLines(path)
            .Where(l => l.StartsWith('{'))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToList();
        var load = lines.Where(l => Str(l, "mode") == "load" && Str(l, "label").Contains('|', StringComparison.Ordinal)).ToList();
        var cases = load.Select(l => Str(l, "label").Split('|')[0]).Distinct().ToList();

        output.WriteLine("| case | workload | conns × in-flight | ceiling | OrleansRpc | ratio | ceiling p50 / p99 µs | OrleansRpc p50 / p99 / p99.9 µs | server B/call (ceiling / OrleansRpc) | errors | target | met |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (string name in cases)
        {
            var ceiling = load.Where(l => Str(l, "label") == name + "|ceiling").ToList();
            var real = load.Where(l => Str(l, "label") == name + "|real").ToList();
            if (real.Count == 0 || ceiling.Count == 0)
            {
                continue;
            }

            JsonElement sample = real[0];
            bool items = Str(sample, "workload") == "generator";
            string rate = items ? "items_per_s" : "calls_per_s";
            double ceilingRate = Median(ceiling, rate), realRate = Median(real, rate);
            double ratio = ceilingRate > 0 ? realRate / ceilingRate : double.NaN;
            double ceilingP50 = Median(ceiling, "p50_us"), realP50 = Median(real, "p50_us");
            double realP99 = Median(real, "p99_us");
            (string target, bool? met) = name switch
            {
                "a" => ("p50 ≤ 1.5 × ceiling", (bool?)(realP50 <= 1.5 * ceilingP50)),
                "b" or "c" => ("≥ 0.5 × ceiling, p99 < 2 ms", ratio >= 0.5 && realP99 < 2000),
                "d" => ("≥ 0.5 × ceiling", ratio >= 0.5),
                _ => ("–", (bool?)null),
            };
            long errors = (long)(ceiling.Concat(real).Sum(l => Num(l, "errors")));
            output.WriteLine(string.Create(s_invariant,
                $"| {name} | {Str(sample, "workload")}{(Num(sample, "payload") > 0 ? $" {Num(sample, "payload")} B" : "")} | {Num(sample, "connections")} × {Num(sample, "inflight")} " +
                $"| {Rate(ceilingRate, items)} | {Rate(realRate, items)} | {ratio:0.00} × (p50 {realP50 / ceilingP50:0.00} ×) " +
                $"| {ceilingP50:0} / {Median(ceiling, "p99_us"):0} | {realP50:0} / {realP99:0} / {Median(real, "p999_us"):0} " +
                $"| {Median(ceiling, "server_alloc_bytes_per_call"):0} / {Median(real, "server_alloc_bytes_per_call"):0} | {errors} | {target} | {Met(met)} |"));
        }

        output.WriteLine();
        output.WriteLine(string.Create(s_invariant, $"Medians of {load.Count(l => Str(l, "label").EndsWith("|real", StringComparison.Ordinal)) / Math.Max(1, cases.Count)} runs per case and server; ratio = OrleansRpc / ceiling throughput (items/s for generators, calls/s otherwise)."));

        var allocation = load.Where(l => Str(l, "label") == "b|real").ToList();
        if (allocation.Count > 0)
        {
            double perCall = Median(allocation, "server_alloc_bytes_per_call");
            output.WriteLine(string.Create(s_invariant, $"- allocation per unary call on the server (case b, GC.GetTotalAllocatedBytes delta / calls): {perCall:0} B — target ≤ 256 B: {Met(perCall <= 256)}"));
        }

        foreach (JsonElement memory in lines.Where(l => Str(l, "mode") == "memory"))
        {
            double connections = Num(memory, "connections");
            double perConnection = (Num(memory, "rss_after_kb") - Num(memory, "rss_before_kb")) * 1024 / Math.Max(1, connections);
            bool real = Str(memory, "label").EndsWith("|real", StringComparison.Ordinal);
            output.WriteLine(string.Create(s_invariant,
                $"- idle connections, {Str(memory, "label").Split('|')[1]}: {connections:0} declared, VmRSS {Num(memory, "rss_before_kb"):0} → {Num(memory, "rss_after_kb"):0} KiB = {perConnection / 1024:0.0} KiB per connection{(real ? $" — target ≤ 20 KiB: {Met(perConnection <= 20 * 1024)}" : "")}"));
        }

        foreach (JsonElement soak in lines.Where(l => Str(l, "mode") == "soak"))
        {
            double[] rss = soak.GetProperty("rss_kb").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            if (rss.Length < 4)
            {
                continue;
            }

            double firstHalf = rss.Take(rss.Length / 2).Max(), secondHalf = rss.Skip(rss.Length / 2).Max();
            bool flat = secondHalf - firstHalf <= 0.05 * firstHalf;
            output.WriteLine(string.Create(s_invariant,
                $"- memory under load for {Num(soak, "seconds"):0} s (case b on OrleansRpc), VmRSS every {Num(soak, "interval_s"):0} s: {string.Join(", ", rss.Select(v => (v / 1024).ToString("0", s_invariant)))} MiB; peak of 2nd half vs 1st half {(secondHalf - firstHalf) / 1024:+0.0;-0.0} MiB — flat (≤ 5 % growth): {Met(flat)}"));
        }

        return 0;
    }

    private static string Met(bool? met) => met switch
    {
        true => "yes",
        false => "**no**",
        null => "–",
    };

    private static string Rate(double value, bool items)
    {
        string number = value switch
        {
            >= 1_000_000 => (value / 1_000_000).ToString("0.00", s_invariant) + " M",
            >= 1_000 => (value / 1_000).ToString("0.0", s_invariant) + " k",
            _ => value.ToString("0", s_invariant),
        };
        return number + (items ? " items/s" : "/s");
    }

    private static double Median(List<JsonElement> runs, string property)
    {
        var values = runs.Where(r => r.TryGetProperty(property, out _)).Select(r => Num(r, property)).Order().ToArray();
        if (values.Length == 0)
        {
            return double.NaN;
        }

        return values.Length % 2 == 1 ? values[values.Length / 2] : (values[(values.Length / 2) - 1] + values[values.Length / 2]) / 2;
    }

    private static string Str(JsonElement element, string property) =>
        element.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    private static double Num(JsonElement element, string property) =>
        element.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : 0;
}
