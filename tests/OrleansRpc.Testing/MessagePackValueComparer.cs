using OrleansRpc.MessagePack;

namespace OrleansRpc.Testing;

/// <summary>
/// Compares two decoded msgpack values the way a Python peer sees them: maps are compared as dictionaries (key order
/// ignored), arrays element by element, ints by value whatever their encoding, float32/float64 by value. A rule can
/// take over at any path to accept an inherently variable value (ids, uuids, ports, timestamps) after checking its shape.
/// </summary>
public static class MessagePackValueComparer
{
    /// <summary>A custom rule: called for every pair before the structural comparison.</summary>
    public delegate ValueComparison Rule(string path, MessagePackValue expected, MessagePackValue actual);

    /// <summary>Every difference between <paramref name="expected"/> and <paramref name="actual"/>.</summary>
    public static List<ValueDifference> Compare(MessagePackValue expected, MessagePackValue actual, Rule? rule = null)
    {
        var differences = new List<ValueDifference>();
        Compare(string.Empty, expected, actual, rule, differences);
        return differences;
    }

    /// <summary>Whether both are ints (signed or unsigned encoding), for shape checks.</summary>
    public static bool BothIntegers(MessagePackValue a, MessagePackValue b) => a.IsInteger && b.IsInteger;

    /// <summary>Whether both are str, for shape checks.</summary>
    public static bool BothStrings(MessagePackValue a, MessagePackValue b) => a.Kind == MessagePackValueKind.String && b.Kind == MessagePackValueKind.String;

    private static void Compare(string path, MessagePackValue expected, MessagePackValue actual, Rule? rule, List<ValueDifference> differences)
    {
        var verdict = rule?.Invoke(path, expected, actual) ?? ValueComparison.Default;
        if (verdict == ValueComparison.Equal)
        {
            return;
        }

        if (verdict == ValueComparison.Different)
        {
            differences.Add(new ValueDifference(path, expected.ToString(), actual.ToString()));
            return;
        }

        if (expected.IsInteger && actual.IsInteger)
        {
            if (!IntegerEquals(expected, actual))
            {
                differences.Add(new ValueDifference(path, expected.ToString(), actual.ToString()));
            }

            return;
        }

        if (IsFloat(expected) && IsFloat(actual))
        {
            if (!expected.AsDouble().Equals(actual.AsDouble()))
            {
                differences.Add(new ValueDifference(path, expected.ToString(), actual.ToString()));
            }

            return;
        }

        if (expected.Kind != actual.Kind)
        {
            differences.Add(new ValueDifference(path, expected.Kind + " " + expected, actual.Kind + " " + actual));
            return;
        }

        switch (expected.Kind)
        {
            case MessagePackValueKind.Array:
            {
                var e = expected.AsArray();
                var a = actual.AsArray();
                if (e.Count != a.Count)
                {
                    differences.Add(new ValueDifference(path + "#length", e.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), a.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    return;
                }

                for (var i = 0; i < e.Count; i++)
                {
                    Compare(path + "/[" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]", e[i], a[i], rule, differences);
                }

                return;
            }

            case MessagePackValueKind.Map:
            {
                var e = expected.AsMap();
                var a = actual.AsMap();
                foreach (var entry in e)
                {
                    var key = KeyText(entry.Key);
                    var match = a.Where(x => x.Key.Equals(entry.Key)).Select(x => (KeyValuePair<MessagePackValue, MessagePackValue>?)x).FirstOrDefault();
                    if (match is null)
                    {
                        differences.Add(new ValueDifference(path + "/" + key, entry.Value.ToString(), "(missing)"));
                        continue;
                    }

                    Compare(path + "/" + key, entry.Value, match.Value.Value, rule, differences);
                }

                foreach (var entry in a)
                {
                    if (!e.Any(x => x.Key.Equals(entry.Key)))
                    {
                        differences.Add(new ValueDifference(path + "/" + KeyText(entry.Key), "(missing)", entry.Value.ToString()));
                    }
                }

                return;
            }

            case MessagePackValueKind.Binary:
                if (!expected.AsBinary().Span.SequenceEqual(actual.AsBinary().Span))
                {
                    differences.Add(new ValueDifference(path, expected.ToString(), actual.ToString()));
                }

                return;

            default:
                if (!expected.Equals(actual))
                {
                    differences.Add(new ValueDifference(path, expected.ToString(), actual.ToString()));
                }

                return;
        }
    }

    private static bool IsFloat(MessagePackValue value) => value.Kind is MessagePackValueKind.Float32 or MessagePackValueKind.Float64;

    private static bool IntegerEquals(MessagePackValue a, MessagePackValue b)
    {
        var aNegative = a.Kind == MessagePackValueKind.Integer && a.AsInt64() < 0;
        var bNegative = b.Kind == MessagePackValueKind.Integer && b.AsInt64() < 0;
        if (aNegative || bNegative)
        {
            return aNegative && bNegative && a.AsInt64() == b.AsInt64();
        }

        return ToUnsigned(a) == ToUnsigned(b);
    }

    private static ulong ToUnsigned(MessagePackValue value) => value.Kind == MessagePackValueKind.UnsignedInteger ? value.AsUInt64() : (ulong)value.AsInt64();

    private static string KeyText(MessagePackValue key) => key.Kind == MessagePackValueKind.String ? key.AsString() : "$key:" + key;
}
