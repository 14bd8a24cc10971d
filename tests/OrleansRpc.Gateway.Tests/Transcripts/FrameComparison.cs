using System.Text.RegularExpressions;
using OrleansRpc.MessagePack;
using OrleansRpc.Testing;

namespace OrleansRpc.Gateway.Tests.Transcripts;

/// <summary>
/// Compares a frame the server sent with the recorded one (<see cref="MessagePackValueComparer"/>), leaving out
/// what the transcripts README lists as varying between runs and learning server-chosen ids (recorded → actual).
/// </summary>
internal static partial class FrameComparison
{
    public static List<ValueDifference> Compare(WireDialect dialect, MessagePackValue expected, MessagePackValue actual, Dictionary<long, long> serverIds, ReplayOptions options) =>
        MessagePackValueComparer.Compare(expected, actual, (path, e, a) =>
        {
            if (dialect.IsVariable(expected, path) || options.VariablePaths.Contains(path))
            {
                return ValueComparison.Equal;
            }

            if (options.PeerAddressVaries)
            {
                if (path.EndsWith("/host/[0]", StringComparison.Ordinal))
                {
                    return ValueComparison.Equal;
                }

                if (e.IsString && a.IsString)
                {
                    return PeerTuple().Replace(e.AsString(), "(PEER)") == PeerTuple().Replace(a.AsString(), "(PEER)")
                        ? ValueComparison.Equal
                        : ValueComparison.Different;
                }
            }

            if (dialect.IsServerChosenId(path) && e.IsInteger && a.IsInteger && e.AsInt64() != -1)
            {
                long recorded = e.AsInt64();
                long sent = a.AsInt64();
                bool consistent = serverIds.TryGetValue(recorded, out long known) ? known == sent : sent is not (-1 or 0);
                serverIds.TryAdd(recorded, sent);
                return consistent ? ValueComparison.Equal : ValueComparison.Different;
            }

            return ValueComparison.Default;
        });

    public static string Describe(MessagePackValue value) => value.ToString() is { Length: > 400 } s ? s[..400] + "…" : value.ToString();

    // A Python (host, port) tuple as rap prints it in texts: ('127.0.0.1', 51234)
    [GeneratedRegex(@"\('[^']*', \d+\)")]
    private static partial Regex PeerTuple();
}
