using OrleansRpc.MessagePack;
using OrleansRpc.Testing;

namespace OrleansRpc.Gateway.Tests.Transcripts;

/// <summary>
/// Compares a frame the server sent with the recorded one (<see cref="MessagePackValueComparer"/>), leaving out
/// what the transcripts README lists as varying between runs and learning server-chosen ids (recorded → actual).
/// </summary>
internal static class FrameComparison
{
    public static List<ValueDifference> Compare(WireDialect dialect, MessagePackValue expected, MessagePackValue actual, Dictionary<long, long> serverIds) =>
        MessagePackValueComparer.Compare(expected, actual, (path, e, a) =>
        {
            if (dialect.IsVariable(expected, path))
            {
                return ValueComparison.Equal;
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
}
