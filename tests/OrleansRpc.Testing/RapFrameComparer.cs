using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Crypto;

namespace OrleansRpc.Testing;

/// <summary>
/// Compares a recorded rap server frame with one our server produced, accepting what legitimately differs between
/// runs after checking its shape: HEAD conn_id (decimal str), server_info host/user_agent, ids of server-initiated
/// events (even, non-zero); v0.5.3.8 request_id of server-initiated frames (a uuid), the host port (same ip),
/// generator call_ids (through <see cref="GeneratorIds"/>); encrypted bodies are decrypted on both sides and the
/// plaintext bodies compared (and a rap status-301 body rap encrypted, §7 #4, is compared with our plain one).
/// Headers compare as dictionaries, as the Python client reads them.
/// </summary>
public sealed class RapFrameComparer
{
    private readonly RapVersion _version;
    private readonly RapCryptoKey? _key;
    private readonly List<ValueDifference> _inner = [];

    /// <summary>Creates a comparer for one generation; <paramref name="cryptoKey"/> when bodies are encrypted.</summary>
    public RapFrameComparer(RapVersion version, RapCryptoKey? cryptoKey = null)
    {
        _version = version;
        _key = cryptoKey;
    }

    /// <summary>v0.5.3.8: recorded generator call_id (as unsigned bits) → the call_id our server handed out.</summary>
    public Dictionary<ulong, long> GeneratorIds { get; } = [];

    /// <summary>Every difference that matters between <paramref name="recorded"/> and <paramref name="produced"/>.</summary>
    public List<ValueDifference> Compare(MessagePackValue recorded, MessagePackValue produced)
    {
        _inner.Clear();
        var differences = MessagePackValueComparer.Compare(recorded, produced, Rule(recorded.AsArray()[0].AsInt64(), string.Empty));
        differences.AddRange(_inner);
        return differences;
    }

    /// <summary>Whether <paramref name="frame"/> is a server ping (timer-driven: its interleaving is not comparable).</summary>
    public static bool IsServerPing(RapVersion version, MessagePackValue frame)
    {
        var items = frame.AsArray();
        if (version == RapVersion.Head)
        {
            return items.Count == 4 && items[0].AsInt64() == 203 && items[2].TryGetValue("target", out var target) && target.AsString() == "/_event/ping";
        }

        return items.Count == 6 && items[0].AsInt64() == 203 && items[3].AsString() == "ping";
    }

    /// <summary>A problem with a server ping's exact shape, or null when it is well-formed.</summary>
    public static string? CheckServerPing(RapVersion version, MessagePackValue ping)
    {
        var items = ping.AsArray();
        if (version == RapVersion.Head)
        {
            var ok = items.Count == 4 && items[1].AsInt64() % 2 == 0 && items[1].AsInt64() != 0
                && items[2].AsMap().Count == 1 && items[3].Kind == MessagePackValueKind.String && items[3].AsString().Length == 0;
            return ok ? null : "malformed HEAD server ping " + ping;
        }

        var header = items[4];
        var good = items.Count == 6 && items[1].AsInt64() == -1 && items[2].AsString() == "default"
            && header.AsMap().Count == 4 && header["status_code"].AsInt64() == 200 && header["version"].AsString() == "0.1"
            && header["user_agent"].AsString() == "Python3-0.5.3" && Guid.TryParse(header["request_id"].AsString(), out _)
            && items[5].Kind == MessagePackValueKind.String && items[5].AsString().Length == 0;
        return good ? null : "malformed v0.5.3.8 server ping " + ping;
    }

    /// <summary>
    /// Which recorded frame a produced one answers: HEAD (type, id), events by target; v0.5.3.8 (num, msg_id), channel
    /// frames by channel_id, events by name. Frames with one key are matched in order.
    /// </summary>
    public static string MatchKey(RapVersion version, MessagePackValue frame)
    {
        var items = frame.AsArray();
        var type = items[0].AsInt64();
        if (version == RapVersion.Head)
        {
            return type == 203
                ? "203:" + (items[2].TryGetValue("target", out var target) ? target.AsString() : "?")
                : type + ":" + items[1].AsInt64();
        }

        return type switch
        {
            202 => "202:" + (items[4].TryGetValue("channel_id", out var id) ? id.ToString() : "?"),
            203 => "203:" + items[3].AsString(),
            _ => type + ":" + items[1].AsInt64(),
        };
    }

    /// <summary>The unsigned bits of an int value (rap's generator ids are uint64).</summary>
    public static ulong ToUInt64(MessagePackValue value) =>
        value.Kind == MessagePackValueKind.UnsignedInteger ? value.AsUInt64() : unchecked((ulong)value.AsInt64());

    private static bool IsHostShape(MessagePackValue host) =>
        host.Kind == MessagePackValueKind.Array && host.AsArray().Count == 2 && host[0].Kind == MessagePackValueKind.String && host[1].IsInteger;

    private static ValueComparison Verdict(bool ok) => ok ? ValueComparison.Equal : ValueComparison.Different;

    private MessagePackValueComparer.Rule Rule(long type, string prefix) => (path, expected, actual) =>
    {
        path = prefix + path;
        if (_version == RapVersion.Head)
        {
            switch (path)
            {
                case "/[1]" when type == 203:
                    return Verdict(actual.IsInteger && actual.AsInt64() % 2 == 0 && actual.AsInt64() != 0);
                case "/[3]/conn_id":
                    return Verdict(actual.Kind == MessagePackValueKind.String && actual.AsString().Length > 0 && actual.AsString().All(char.IsAsciiDigit));
                case "/[3]/server_info/host":
                    return Verdict(IsHostShape(actual));
                case "/[3]/server_info/user_agent":
                    return Verdict(MessagePackValueComparer.BothStrings(expected, actual));
                case "/[3]" when _key is not null && expected.Kind == MessagePackValueKind.Binary && actual.Kind != MessagePackValueKind.Binary:
                    // §7 #4: rap encrypts status-301 bodies (its own client then fails); ours are plain.
                    return Verdict(RapCryptoEnvelope.TryOpen(_key, expected.AsBinary().Span, out var rapBody)
                        && MessagePackValueComparer.Compare(MessagePackValue.Parse(rapBody.Body), actual).Count == 0);
                case "/[3]" when _key is not null && expected.Kind == MessagePackValueKind.Binary:
                    return CompareEncrypted(expected, actual, type, "/[3](decrypted)");
            }

            return ValueComparison.Default;
        }

        switch (path)
        {
            case "/[4]/request_id" when type is 202 or 203:
                return Verdict(MessagePackValueComparer.BothStrings(expected, actual) && Guid.TryParse(actual.AsString(), out _));
            case "/[4]/host":
                return Verdict(IsHostShape(actual) && expected[0].Equals(actual[0]));
            case "/[5]" when _key is not null && expected.Kind == MessagePackValueKind.Binary:
                return CompareEncrypted(expected, actual, type, "/[5](decrypted)");
            case "/[5]/call_id":
            case "/[5](decrypted)/call_id":
                return expected.IsInteger && GeneratorIds.TryGetValue(ToUInt64(expected), out var ours)
                    ? Verdict(actual.IsInteger && actual.AsInt64() == ours)
                    : ValueComparison.Default;
        }

        return ValueComparison.Default;
    };

    private ValueComparison CompareEncrypted(MessagePackValue expected, MessagePackValue actual, long type, string prefix)
    {
        if (actual.Kind != MessagePackValueKind.Binary
            || !RapCryptoEnvelope.TryOpen(_key!, expected.AsBinary().Span, out var e)
            || !RapCryptoEnvelope.TryOpen(_key!, actual.AsBinary().Span, out var a)
            || a.Timestamp is null || a.NonceKey is null)
        {
            return ValueComparison.Different;
        }

        var differences = MessagePackValueComparer.Compare(MessagePackValue.Parse(e.Body), MessagePackValue.Parse(a.Body), Rule(type, prefix));
        _inner.AddRange(differences);
        return differences.Count == 0 ? ValueComparison.Equal : ValueComparison.Different;
    }
}
