using System.Globalization;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Gateway.Tests.Transcripts;

/// <summary>
/// Compares a frame the server sent with the recorded one, structurally, leaving out what the transcripts
/// README lists as varying between runs and learning server-chosen ids (recorded → actual) as it goes.
/// </summary>
internal static class FrameComparer
{
    public static List<string> Compare(WireDialect dialect, MessagePackValue expected, MessagePackValue actual, IDictionary<long, long> serverIds)
    {
        var mismatches = new List<string>();
        if (expected.Kind != MessagePackValueKind.Array || actual.Kind != MessagePackValueKind.Array || expected.Count != actual.Count)
        {
            mismatches.Add($"frame shape: expected {expected}, got {actual}");
            return mismatches;
        }

        for (int i = 0; i < expected.Count; i++)
        {
            CompareValue(dialect, expected, expected[i], actual[i], dialect.ElementName(i), serverIds, mismatches);
        }

        return mismatches;
    }

    private static void CompareValue(WireDialect dialect, MessagePackValue frame, MessagePackValue expected, MessagePackValue actual, string path, IDictionary<long, long> serverIds, List<string> mismatches)
    {
        if (dialect.IsVariable(frame, path))
        {
            return;
        }

        if (dialect.IsServerChosenId(path) && expected.IsInteger && actual.IsInteger && expected.AsInt64() != -1)
        {
            long recorded = expected.AsInt64();
            long sent = actual.AsInt64();
            if (serverIds.TryGetValue(recorded, out long known) ? known != sent : sent is -1 or 0)
            {
                mismatches.Add($"{path}: recorded id {recorded} maps to {(serverIds.TryGetValue(recorded, out long k) ? k : -1)}, got {sent}");
            }

            serverIds.TryAdd(recorded, sent);
            return;
        }

        if (expected.IsInteger && actual.IsInteger)
        {
            if (!IntegersEqual(expected, actual))
            {
                mismatches.Add($"{path}: expected {expected}, got {actual}");
            }

            return;
        }

        if (expected.Kind != actual.Kind)
        {
            mismatches.Add($"{path}: expected {expected.Kind} {expected}, got {actual.Kind} {actual}");
            return;
        }

        switch (expected.Kind)
        {
            case MessagePackValueKind.Array:
                if (expected.Count != actual.Count)
                {
                    mismatches.Add($"{path}: expected {expected.Count} items {expected}, got {actual.Count} {actual}");
                    return;
                }

                for (int i = 0; i < expected.Count; i++)
                {
                    CompareValue(dialect, frame, expected[i], actual[i], $"{path}[{i}]", serverIds, mismatches);
                }

                return;
            case MessagePackValueKind.Map:
                var actualEntries = actual.AsMap().ToDictionary(e => KeyText(e.Key), e => e.Value);
                var expectedKeys = new HashSet<string>();
                foreach (var (key, value) in expected.AsMap())
                {
                    string name = KeyText(key);
                    expectedKeys.Add(name);
                    if (!actualEntries.TryGetValue(name, out MessagePackValue other))
                    {
                        if (!dialect.IsVariable(frame, $"{path}.{name}"))
                        {
                            mismatches.Add($"{path}.{name}: missing (expected {value})");
                        }

                        continue;
                    }

                    CompareValue(dialect, frame, value, other, $"{path}.{name}", serverIds, mismatches);
                }

                foreach (string extra in actualEntries.Keys.Where(k => !expectedKeys.Contains(k)))
                {
                    if (!dialect.IsVariable(frame, $"{path}.{extra}"))
                    {
                        mismatches.Add($"{path}.{extra}: not expected (got {actualEntries[extra]})");
                    }
                }

                return;
            default:
                if (!expected.Equals(actual))
                {
                    mismatches.Add($"{path}: expected {expected}, got {actual}");
                }

                return;
        }
    }

    private static bool IntegersEqual(MessagePackValue a, MessagePackValue b)
    {
        bool aNegative = a.Kind == MessagePackValueKind.Integer && a.AsInt64() < 0;
        bool bNegative = b.Kind == MessagePackValueKind.Integer && b.AsInt64() < 0;
        return aNegative == bNegative && (aNegative ? a.AsInt64() == b.AsInt64() : a.AsUInt64() == b.AsUInt64());
    }

    private static string KeyText(MessagePackValue key) =>
        key.IsString ? key.AsString() : "$key:" + key.ToString();

    public static string Describe(MessagePackValue value) => value.ToString() is { Length: > 400 } s ? s[..400] + "…" : value.ToString();

    public static string Format(double ms) => ms.ToString("0.0", CultureInfo.InvariantCulture);
}
