using OrleansRpc.MessagePack;

namespace OrleansRpc.Gateway.Tests.Transcripts;

/// <summary>What the replay needs to know about one generation's frames.</summary>
internal abstract class WireDialect
{
    public static WireDialect Head { get; } = new HeadDialect();

    public static WireDialect Legacy { get; } = new LegacyDialect();

    public static WireDialect For(string version) => version == "head" ? Head : Legacy;

    /// <summary>The status code in a frame's header (200 when absent).</summary>
    public abstract long Status(MessagePackValue frame);

    /// <summary>Comparer path of the body element.</summary>
    public abstract string BodyPath { get; }

    /// <summary>A server ping (its timing is not reproducible, so it is left out of the comparison).</summary>
    public abstract bool IsServerPing(MessagePackValue frame);

    /// <summary>
    /// A recorded server frame the client ignores and a conforming server need not send (rap 0.5.3.8's extra
    /// status-510 frame after echoing a client drop); accepted when it comes, not awaited when it does not.
    /// </summary>
    public virtual bool IsOptional(MessagePackValue frame) => false;

    /// <summary>The client's answer to a server ping (the replay answers pings itself, as the real client does).</summary>
    public abstract byte[] Pong(MessagePackValue ping);

    /// <summary>Frames with the same key answer the same request; within a key the order is kept.</summary>
    public abstract string MatchKey(MessagePackValue frame);

    /// <summary>True when the value at <paramref name="path"/> (comparer syntax, e.g. <c>/[4]/request_id</c>) legitimately differs between runs.</summary>
    public abstract bool IsVariable(MessagePackValue frame, string path);

    /// <summary>Paths holding ids the server chose and the client sends back (0.5.3.8 generator call_id).</summary>
    public virtual bool IsServerChosenId(string path) => false;

    private sealed class HeadDialect : WireDialect
    {
        public override bool IsServerPing(MessagePackValue frame) =>
            frame.Count == 4 && frame[0].AsInt64() == 203 && frame[2].Kind == MessagePackValueKind.Map
            && frame[2].TryGetValue("target", out MessagePackValue target) && target.IsString && target.AsString() == "/_event/ping";

        // The tests' gateway assumes a silent connection is v0.5.3.8 after 1 s (§5 step 3); a replayed HEAD connection
        // whose DECLARE is late on a loaded machine gets a v0.5.3.8 ping first, which a HEAD client logs and ignores.
        public override bool IsOptional(MessagePackValue frame) =>
            frame.Count == 6 && frame[0].AsInt64() == 203 && frame[3].IsString && frame[3].AsString() == "ping";

        public override string BodyPath => "/[3]";

        public override long Status(MessagePackValue frame) =>
            frame[2].TryGetValue("status_code", out MessagePackValue status) && status.IsInteger ? status.AsInt64() : 200;

        public override byte[] Pong(MessagePackValue ping) => ping.ToArray(); // HEAD echoes the ping as it came

        public override string MatchKey(MessagePackValue frame)
        {
            long type = frame[0].AsInt64();
            if (type == 203 && frame[2].TryGetValue("target", out MessagePackValue target) && target.IsString)
            {
                return "event " + target.AsString();
            }

            return $"{type} {frame[1].AsInt64()}";
        }

        public override bool IsVariable(MessagePackValue frame, string path) =>
            path is "/[3]/conn_id" or "/[3]/server_info/host/[1]"
            || (path == "/[1]" && frame[0].AsInt64() == 203);
    }

    private sealed class LegacyDialect : WireDialect
    {
        public override bool IsServerPing(MessagePackValue frame) =>
            frame[0].AsInt64() == 203 && frame[3].IsString && frame[3].AsString() == "ping";

        public override string BodyPath => "/[5]";

        public override long Status(MessagePackValue frame) =>
            frame[4].TryGetValue("status_code", out MessagePackValue status) && status.IsInteger ? status.AsInt64() : 200;

        // rap's extra 510 after echoing a client drop, and its num −1 answer to an undecryptable pong: the client
        // ignores both.
        public override bool IsOptional(MessagePackValue frame) =>
            frame[0].AsInt64() == -1
            || (frame[0].AsInt64() == 202 && frame[4].TryGetValue("status_code", out MessagePackValue status) && status.IsInteger && status.AsInt64() == 510);

        public override byte[] Pong(MessagePackValue ping) =>
            MessagePackValue.FromArray(103, -1, "", "pong", MessagePackValue.FromMap(
                ("host", MessagePackValue.FromArray("127.0.0.1", 9000)),
                ("version", "0.1"),
                ("user_agent", "Python3-0.5.3"),
                ("request_id", Guid.NewGuid().ToString())), "").ToArray();

        public override string MatchKey(MessagePackValue frame)
        {
            long num = frame[0].AsInt64();
            string channel = frame[4].TryGetValue("channel_id", out MessagePackValue id) && id.IsString ? id.AsString() : "";
            return num switch
            {
                203 => "event " + frame[3],
                202 => "channel " + channel,
                _ => $"{num} {frame[1].AsInt64()} {channel}",
            };
        }

        public override bool IsVariable(MessagePackValue frame, string path) =>
            path is "/[4]/request_id" or "/[4]/host/[1]";

        public override bool IsServerChosenId(string path) => path == "/[5]/call_id";
    }
}
